/**
 * Redis behind a proxy that turns connections half-open (every byte dropped, no close, no reset): the subscriber
 * alone, then both connections. belfry must notice within 15 s (/readyz 503), keep committing, keep outbox rows
 * free for healthy processes, keep memory bounded, and after recovery send RESYNC and relay the outbox.
 * `healthy` talks to Redis directly; `cut` goes through the proxy; both share one database and channel.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { testServices } from '../helpers/services.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { connect } from '../helpers/ws-client.ts';

let proxy: TcpProxy;
let healthy: Belfry;
let cut: Belfry;

beforeAll(async () => {
  const redis = new URL(testServices().redisUrl);
  proxy = startTcpProxy(`${redis.hostname}:${redis.port || 6379}`);
  const env = { OUTBOX_RELAY_INTERVAL_MS: '200', OUTBOX_RELAY_MIN_AGE_MS: '500' };
  healthy = await startBelfry({ env });
  cut = await startBelfry({
    redisUrl: `redis://${proxy.address}`,
    redisPrefix: healthy.redisPrefix,
    database: healthy.database,
    jwtSecret: healthy.jwtSecret,
    ingestKey: healthy.ingestKey,
    env,
  });
});
afterAll(async () => {
  proxy.pass();
  await cut.stop();
  await healthy.stop();
  proxy.stop();
});

const ready = (belfry: Belfry) => fetch(`${belfry.url}/readyz`, { signal: AbortSignal.timeout(3000) }).then((r) => r.status, () => 0);
const notification = (message: string) => (f: { type: string; payload?: any }) => f.type === 'NOTIFICATION' && f.payload.message === message;

test('a half-open subscriber is noticed within 15 s: RESYNC, then live delivery again', async () => {
  const token = await healthy.tokenFor('sub-half-open');
  const remote = await connect(cut.wsUrl, token);
  await healthy.ingest({ user_id: 'sub-half-open', type: 't', message: 'before' });
  await remote.next(notification('before'));

  const started = Date.now();
  proxy.blackhole((hello) => hello.includes('belfry-subscriber'));
  expect(proxy.connections().filter((c) => c.dead)).toHaveLength(1);
  let notReadyAt: number | undefined;
  const watch = setInterval(async () => {
    if (notReadyAt === undefined && (await ready(cut)) === 503) notReadyAt = Date.now() - started;
  }, 100);
  try {
    await remote.next((f) => f.type === 'RESYNC', 15_000);
  } finally {
    clearInterval(watch);
  }
  const resyncAfter = Date.now() - started;
  console.log(`half-open subscriber: /readyz 503 after ${notReadyAt ?? 'never seen'} ms, RESYNC after ${resyncAfter} ms`);

  await healthy.ingest({ user_id: 'sub-half-open', type: 't', message: 'after' });
  await remote.next(notification('after'), 5000);
  expect(await ready(cut)).toBe(200);
  remote.close();
}, 30_000);

test('both connections black-holed: 503 within 15 s, ingest commits, no row held, bounded memory; recovery relays', async () => {
  const user = 'both-half-open';
  const token = await healthy.tokenFor(user);
  const local = await connect(cut.wsUrl, token);
  const elsewhere = await connect(healthy.wsUrl, token);

  const started = Date.now();
  proxy.blackhole();
  let detectedAfter: number | undefined;
  while (Date.now() - started < 15_000) {
    if ((await ready(cut)) === 503) {
      detectedAfter = Date.now() - started;
      break;
    }
    await Bun.sleep(100);
  }
  console.log(`both black-holed: /readyz 503 after ${detectedAfter} ms`);
  expect(detectedAfter).toBeDefined();

  // Ingest through the cut process for a while: every request commits; its publishes cannot go anywhere.
  Bun.gc(true);
  const rssBefore = process.memoryUsage().rss;
  const acked: string[] = [];
  let rssPeak = rssBefore;
  const loadUntil = Date.now() + 6000;
  await Promise.all(
    Array.from({ length: 16 }, async (_, worker) => {
      for (let i = 0; Date.now() < loadUntil; i++) {
        const response = await cut.ingest({ user_id: user, type: 't', message: `cut ${worker}/${i}` });
        expect(response.status).toBe(201);
        acked.push(...((await response.json()) as { ids: string[] }).ids);
        if (i % 50 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }
    }),
  );
  const mb = (bytes: number) => Math.round(bytes / 1e6);
  console.log(`both black-holed: ${acked.length} ingests acknowledged; RSS ${mb(rssBefore)} → peak ${mb(rssPeak)} MB (test process, both instances)`);
  expect(rssPeak - rssBefore).toBeLessThan(150e6);

  // No transaction sits idle holding outbox rows while a publish hangs.
  await Bun.sleep(1500);
  const [{ idle }] = await healthy.sql<[{ idle: number }]>`
    select count(*)::int as idle from pg_stat_activity
    where datname = current_database() and state like 'idle in transaction%' and now() - state_change > interval '1 second'
  `;
  expect(idle).toBe(0);

  // The healthy process relays what the cut one committed: its sockets get every notification.
  const ackedSet = new Set(acked);
  const deadline = Date.now() + 20_000;
  const missing = () => {
    const seen = new Set(elsewhere.all('NOTIFICATION').map((f) => f.payload.id as string));
    return [...ackedSet].filter((id) => !seen.has(id));
  };
  while (missing().length > 0 && Date.now() < deadline) await Bun.sleep(100);
  expect(missing()).toEqual([]);
  // The cut process delivered to its own sockets without Redis.
  const localIds = new Set(local.all('NOTIFICATION').map((f) => f.payload.id as string));
  expect([...ackedSet].filter((id) => !localIds.has(id))).toEqual([]);

  const healedAt = Date.now();
  proxy.pass();
  await local.next((f) => f.type === 'RESYNC', 15_000);
  console.log(`both black-holed: RESYNC ${Date.now() - healedAt} ms after the network came back`);
  while ((await ready(cut)) !== 200 && Date.now() - healedAt < 15_000) await Bun.sleep(100);
  expect(await ready(cut)).toBe(200);
  await healthy.ingest({ user_id: user, type: 't', message: 'healed' });
  await local.next(notification('healed'), 5000);
  const [{ left }] = await healthy.sql<[{ left: number }]>`select count(*)::int as left from notification_outbox where created_at < now() - interval '3 seconds'`;
  expect(left).toBe(0);
  for (const socket of [local, elsewhere]) {
    const ids = socket.all('NOTIFICATION').map((f) => f.payload.id);
    expect(new Set(ids).size).toBe(ids.length);
  }
  local.close();
  elsewhere.close();
}, 60_000);
