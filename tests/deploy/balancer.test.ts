/**
 * Three belfry processes behind haproxy (deploy/haproxy.cfg, deploy/belfry.env's shutdown settings), restarted one
 * after the other under load: ingests and resuming WebSocket clients all go through the balancer. Each process,
 * on SIGTERM, fails /readyz first; haproxy must mark it down while it still runs, and only then are its sockets
 * told to reconnect, which they do through haproxy to the others. Nothing acknowledged may be lost, nothing shown
 * twice, and no ingest refused.
 */
import { afterAll, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { signToken } from '../../src/auth/tokens.ts';
import { createSharedEnv, spawnBelfry, type BelfryProcess } from '../helpers/process.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { startResumingClient } from '../helpers/resuming-client.ts';
import { freePort } from '../helpers/services.ts';
import { call } from '../helpers/http.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** The shutdown settings the deployment ships with, so the drain is tested against the checks it must outlast. */
function deployedShutdown(): Record<string, string> {
  const file = readFileSync(resolve(import.meta.dir, '..', '..', 'deploy', 'belfry.env'), 'utf8');
  const settings = Object.fromEntries(file.split('\n').flatMap((line) => (/^SHUTDOWN_\w+=/.test(line) ? [line.split('=') as [string, string]] : [])));
  expect(Object.keys(settings).sort()).toEqual(['SHUTDOWN_DRAIN_MS', 'SHUTDOWN_TIMEOUT_MS']);
  return settings;
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await Bun.sleep(50);
  }
  return true;
}

/** A steady stream of single events through the balancer; every answer is counted by status. */
function ingestLoop(url: string, ingestKey: string, users: string[], workers = 4) {
  const acked = new Map<string, Set<string>>(users.map((user) => [user, new Set()]));
  const statuses = new Map<string, number>();
  let running = true;
  const worker = async (offset: number) => {
    for (let i = offset; running; i += workers) {
      const user = users[i % users.length]!;
      const response = await call(url, '/api/events', { token: ingestKey, body: { user_id: user, type: 'rolling', message: `e${i}` } }).catch(() => undefined);
      const status = String(response?.status ?? 'no answer');
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (response?.status === 201) acked.get(user)!.add(((await response.json()) as { ids: string[] }).ids[0]!);
      await Bun.sleep(10); // a steady stream, not a benchmark: leave the two cores to the processes under test
    }
  };
  const running$ = Array.from({ length: workers }, (_, offset) => worker(offset));
  return {
    acked,
    statuses,
    total: () => [...acked.values()].reduce((sum, ids) => sum + ids.size, 0),
    async stop() {
      running = false;
      await Promise.all(running$);
    },
  };
}

const users = Array.from({ length: 9 }, (_, i) => `rolling-user-${i}`);

test('a rolling restart of three processes behind haproxy loses nothing, doubles nothing and refuses no ingest', async () => {
  const shared = await createSharedEnv({ ...deployedShutdown(), RECONNECT_SPREAD_MS: '1000' });
  cleanups.push(() => shared.database.drop());
  const ports = [await freePort(), await freePort(), await freePort()];
  const processes: BelfryProcess[] = await Promise.all(ports.map((port) => spawnBelfry({ ...shared.env, PORT: String(port) })));
  cleanups.push(() => Promise.all(processes.map((process) => process.stop())));
  const haproxy = await startHaproxy(ports);
  cleanups.push(() => haproxy.stop());
  const names = [...(await haproxy.states()).keys()];
  const allUp = async () => [...(await haproxy.states()).values()].every((state) => state === 'UP');
  expect(await waitUntil(allUp, 10_000)).toBe(true);

  const clients = new Map(await Promise.all(users.map(async (user) => [user, startResumingClient([haproxy.url], await signToken(shared.jwtSecret, user))] as const)));
  expect(await waitUntil(() => [...clients.values()].every((client) => client.ready()), 10_000)).toBe(true);
  const load = ingestLoop(haproxy.url, shared.ingestKey, users);
  const loadStarted = performance.now();
  const moreAcked = async (count: number) => {
    const target = load.total() + count;
    expect(await waitUntil(() => load.total() >= target, 15_000)).toBe(true);
  };

  const steps: string[] = [];
  await moreAcked(50);
  for (const [index, name] of names.entries()) {
    const victim = processes[index]!;
    const signalled = performance.now();
    victim.child.kill('SIGTERM');
    // The balancer must see the drain while the process still serves: then nothing new is sent to it.
    let downWhileRunning = false;
    expect(await waitUntil(async () => (await haproxy.states()).get(name) === 'DOWN' && (downWhileRunning = victim.child.exitCode === null), 10_000)).toBe(true);
    const markedDown = performance.now() - signalled;
    expect(downWhileRunning).toBe(true);
    expect(await Promise.race([victim.child.exited, Bun.sleep(15_000).then(() => 'still running')])).toBe(0);
    const exited = performance.now() - signalled;
    processes[index] = await spawnBelfry({ ...shared.env, PORT: String(ports[index]) });
    expect(await waitUntil(async () => (await haproxy.states()).get(name) === 'UP', 10_000)).toBe(true);
    steps.push(`${name}: down in haproxy after ${Math.round(markedDown)} ms, exited after ${Math.round(exited)} ms, back UP after ${Math.round(performance.now() - signalled)} ms`);
    await moreAcked(50);
  }
  await load.stop();
  const loadSeconds = (performance.now() - loadStarted) / 1000;

  const committed = await shared.database.sql<{ id: string; user_id: string }[]>`select id, user_id from notifications`;
  const expected = new Map(users.map((user) => [user, new Set(committed.filter((row) => row.user_id === user).map((row) => row.id))]));
  for (const user of users) for (const id of load.acked.get(user)!) expect(expected.get(user)!.has(id)).toBe(true);
  const settled = () => users.every((user) => clients.get(user)!.ids().size === expected.get(user)!.size && [...expected.get(user)!].every((id) => clients.get(user)!.ids().has(id)));
  expect(await waitUntil(settled, 15_000)).toBe(true);
  for (const client of clients.values()) expect(client.repeats()).toBe(0);
  // Every process held sockets (leastconn spreads them) and restarted once, so every client moved at least once.
  for (const client of clients.values()) expect(client.reconnects()).toBeGreaterThanOrEqual(1);
  expect([...load.statuses.keys()]).toEqual(['201']);

  const gaps = [...clients.values()].flatMap((client) => client.gaps()).sort((a, b) => a - b);
  for (const client of clients.values()) client.stop();
  console.log(
    [
      `rolling restart behind haproxy: ${load.total()} ingests acknowledged in ${loadSeconds.toFixed(1)} s (answers: ${JSON.stringify(Object.fromEntries(load.statuses))}), ${committed.length} committed, each in its client's list once (${users.length} clients; ${[...clients.values()].reduce((sum, client) => sum + client.resent(), 0)} catch-up overlap frames dropped by id, 0 live repeats)`,
      ...steps,
      `reconnects: ${gaps.length}, without a socket for ${Math.round(gaps[0]!)}–${Math.round(gaps.at(-1)!)} ms (median ${Math.round(gaps[gaps.length >> 1]!)} ms; RECONNECT_SPREAD_MS=1000)`,
    ].join('\n  '),
  );
}, 60_000);
