/**
 * Faults injected for real, each asserting that no acknowledged notification is lost and none shows twice:
 * a process killed with SIGKILL mid-ingest, a rolling restart of two processes under load, Postgres stopped and
 * started. Only instances these tests start are stopped: throwaway processes and an embedded Postgres.
 */
import { loadConfig } from '../../src/config.ts';
import { afterAll, describe, expect, test } from 'bun:test';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken } from '../../src/auth/tokens.ts';
import { createSql } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { freePort } from '../helpers/services.ts';
import { createSharedEnv, spawnBelfry, type BelfryProcess } from '../helpers/process.ts';
import { startBelfry } from '../helpers/belfry.ts';
import { startResumingClient } from '../helpers/resuming-client.ts';
import { call, errorOf } from '../helpers/http.ts';

const jwtSecret = `chaos-secret-${crypto.randomUUID()}`;
const ingestKey = `chaos-ingest-${crypto.randomUUID()}`;
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

async function sharedEnv() {
  const shared = await createSharedEnv({ JWT_SECRET: jwtSecret, INGEST_API_KEY: ingestKey, RECONNECT_SPREAD_MS: '300' });
  cleanups.push(() => shared.database.drop());
  return shared;
}

/** Sends single events round-robin over users to whichever target answers, recording acknowledged ids by user. */
function ingestLoop(targets: () => string[], users: string[], concurrency = 6) {
  const acked = new Map<string, Set<string>>(users.map((user) => [user, new Set()]));
  let running = true;
  let sent = 0;
  const worker = async (offset: number) => {
    for (let i = offset; running && i < 100_000; i += concurrency) {
      const user = users[i % users.length]!;
      const [target] = targets();
      if (!target) {
        await Bun.sleep(20); // no process to send to right now: back off, then look again
        continue;
      }
      sent++;
      const response = await call(target, '/api/events', { token: ingestKey, body: { user_id: user, type: 'chaos', message: `e${i}` } }).catch(() => undefined);
      if (response?.status === 201) acked.get(user)!.add(((await response.json()) as { ids: string[] }).ids[0]!);
      else await Bun.sleep(10); // refused or unreachable: back off before the next event
    }
  };
  const workers = Array.from({ length: concurrency }, (_, offset) => worker(offset));
  return {
    acked,
    total: () => [...acked.values()].reduce((sum, ids) => sum + ids.size, 0),
    sent: () => sent,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

/** Polls with a deadline, for state that has no event of its own (a client's list, a counter). */
async function waitUntil(condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await Bun.sleep(50);
  return condition();
}

const users = Array.from({ length: 8 }, (_, i) => `chaos-user-${i}`);

describe('a process killed with SIGKILL mid-ingest', () => {
  test('every acknowledged notification reaches the sockets on the surviving process, once', async () => {
    const { env } = await sharedEnv();
    let victim: BelfryProcess = await spawnBelfry(env);
    const survivor = await spawnBelfry(env);
    cleanups.push(() => survivor.stop(), () => victim.stop());
    const clients = new Map(await Promise.all(users.map(async (user) => [user, startResumingClient([survivor.url], await signToken(jwtSecret, user))] as const)));
    expect(await waitUntil(() => [...clients.values()].every((client) => client.ready()), 5000)).toBe(true);

    let victimAlive = true;
    const load = ingestLoop(() => (victimAlive ? [victim.url] : []), users);
    await waitUntil(() => load.total() >= 300, 15_000);
    victim.child.kill('SIGKILL');
    victimAlive = false;
    await victim.child.exited;
    await load.stop();

    const delivered = () => users.every((user) => [...load.acked.get(user)!].every((id) => clients.get(user)!.ids().has(id)));
    // The survivor's outbox relay publishes what the victim committed but never published.
    expect(await waitUntil(delivered, 15_000)).toBe(true);
    for (const client of clients.values()) expect(client.repeats()).toBe(0);

    // Restarted, the victim serves again and its deliveries reach the survivor's sockets.
    victim = await spawnBelfry({ ...env, PORT: String(victim.port) });
    const response = await call(victim.url, '/api/events', { token: ingestKey, body: { user_id: users[0], type: 'chaos', message: 'after restart' } });
    const { ids } = (await response.json()) as { ids: string[] };
    expect(await waitUntil(() => clients.get(users[0]!)!.ids().has(ids[0]!), 5000)).toBe(true);
    for (const client of clients.values()) client.stop();
    console.log(`kill -9: ${load.total()} acknowledged of ${load.sent()} sent, all delivered once`);
  }, 60_000);
});

describe('a rolling restart of two processes under load', () => {
  test('clients move between processes and end with every acknowledged notification exactly once', async () => {
    const { env, database } = await sharedEnv();
    let a = await spawnBelfry(env);
    let b = await spawnBelfry(env);
    cleanups.push(() => a.stop(), () => b.stop());
    const alive = { a: true, b: true };
    const clients = new Map(
      await Promise.all(users.map(async (user, i) => [user, startResumingClient(i % 2 ? [a.url, b.url] : [b.url, a.url], await signToken(jwtSecret, user))] as const)),
    );
    expect(await waitUntil(() => [...clients.values()].every((client) => client.ready()), 5000)).toBe(true);
    const load = ingestLoop(() => [...(alive.a ? [a.url] : []), ...(alive.b ? [b.url] : [])].sort(() => Math.random() - 0.5), users);
    // "Under load" means acknowledged ingests between the steps, not a span of time.
    const moreAcked = async (count: number) => {
      const target = load.total() + count;
      expect(await waitUntil(() => load.total() >= target, 15_000)).toBe(true);
    };

    await moreAcked(100);
    alive.a = false;
    expect(await a.stop()).toBe(0);
    a = await spawnBelfry({ ...env, PORT: String(a.port) });
    alive.a = true;
    await moreAcked(100);
    alive.b = false;
    expect(await b.stop()).toBe(0);
    b = await spawnBelfry({ ...env, PORT: String(b.port) });
    alive.b = true;
    await moreAcked(100);
    await load.stop();

    const committed = await database.sql<{ id: string; user_id: string }[]>`select id, user_id from notifications`;
    const expected = new Map(users.map((user) => [user, new Set(committed.filter((row) => row.user_id === user).map((row) => row.id))]));
    // Nothing acknowledged is missing from Postgres…
    for (const user of users) for (const id of load.acked.get(user)!) expect(expected.get(user)!.has(id)).toBe(true);
    // …and every client's list ends up holding exactly its user's notifications.
    const settled = () => users.every((user) => clients.get(user)!.ids().size === expected.get(user)!.size && [...expected.get(user)!].every((id) => clients.get(user)!.ids().has(id)));
    expect(await waitUntil(settled, 15_000)).toBe(true);
    expect([...clients.values()].reduce((sum, client) => sum + client.reconnects(), 0)).toBeGreaterThanOrEqual(users.length);
    for (const client of clients.values()) client.stop();
    console.log(`rolling restart: ${load.total()} acknowledged, ${committed.length} committed, all delivered once to ${users.length} clients`);
  }, 60_000);
});

describe('Postgres stopped and started', () => {
  test('ingest answers 503 while it is down and acknowledges nothing it did not commit; all recovers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'belfry-chaos-pg-'));
    chmodSync(dir, 0o755);
    const port = await freePort();
    let postgres = await startEmbeddedPostgres({ dir: join(dir, 'pg'), port });
    cleanups.push(async () => {
      await postgres.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    });
    const sql = createSql(postgres.url, { max: 4, connectTimeout: 2, statementTimeoutMs: loadConfig({}).database.statementTimeoutMs });
    await migrate(sql);
    const belfry = await startBelfry({ database: { url: postgres.url, sql, drop: () => sql.end({ timeout: 1 }) } });
    cleanups.push(() => belfry.stop());
    const acked: string[] = [];
    const send = async () => {
      const response = await belfry.ingest({ user_id: 'pg-user', type: 't', message: 'x' });
      if (response.status === 201) acked.push(...((await response.json()) as { ids: string[] }).ids);
      return response;
    };

    expect((await send()).status).toBe(201);
    await postgres.stop();
    const down = await send();
    expect(down.status).toBe(503);
    expect((await errorOf(down)).code).toBe('unavailable');
    expect((await fetch(`${belfry.url}/readyz`)).status).toBe(503);
    expect((await call(belfry.url, '/api/notifications', { token: await belfry.tokenFor('pg-user') })).status).toBe(503);

    postgres = await startEmbeddedPostgres({ dir: join(dir, 'pg'), port });
    let recovered = false;
    for (let attempt = 0; attempt < 100 && !recovered; attempt++) {
      recovered = (await send()).status === 201;
      if (!recovered) await Bun.sleep(100); // polling: Postgres accepting connections again has no event here
    }
    expect(recovered).toBe(true);
    expect((await fetch(`${belfry.url}/readyz`)).status).toBe(200);
    const rows = await sql<{ id: string }[]>`select id from notifications where user_id = 'pg-user' order by id`;
    expect(rows.map((row) => row.id)).toEqual(acked);
  }, 60_000);
});
