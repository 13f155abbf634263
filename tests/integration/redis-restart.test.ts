/**
 * Integration: Redis goes away mid-stream and comes back. Ingest keeps committing; sockets on the ingesting process
 * keep receiving; sockets on another process get RESYNC when the subscription is restored and then, through the
 * outbox relay, every notification committed meanwhile, live. Nothing committed is missing, nothing arrives twice.
 * Uses a throwaway redis-server on its own port, never the shared one.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { startThrowawayRedis } from '../helpers/services.ts';
import { connect } from '../helpers/ws-client.ts';
import { call } from '../helpers/http.ts';

let redis: Awaited<ReturnType<typeof startThrowawayRedis>>;
let ingesting: Belfry;
let other: Belfry;

beforeAll(async () => {
  redis = await startThrowawayRedis();
  const relay = { OUTBOX_RELAY_INTERVAL_MS: '200', OUTBOX_RELAY_MIN_AGE_MS: '500' };
  ingesting = await startBelfry({ redisUrl: redis.url, env: relay });
  other = await startBelfry({
    redisUrl: redis.url,
    redisPrefix: ingesting.redisPrefix,
    database: ingesting.database,
    jwtSecret: ingesting.jwtSecret,
    ingestKey: ingesting.ingestKey,
    env: relay,
  });
});
afterAll(async () => {
  await other.stop();
  await ingesting.stop();
  await redis.stop();
});

test('restart mid-stream: local sockets live throughout, remote sockets RESYNC then relayed, nothing lost or doubled', async () => {
  const token = await ingesting.tokenFor('alice');
  const local = await connect(ingesting.wsUrl, token);
  const remote = await connect(other.wsUrl, token);
  const committed: string[] = [];
  const send = async (message: string) => {
    const response = await ingesting.ingest({ user_id: 'alice', type: 't', message });
    expect(response.status).toBe(201);
    committed.push(...((await response.json()) as { ids: string[] }).ids);
  };
  const notification = (message: string) => (f: { type: string; payload?: any }) => f.type === 'NOTIFICATION' && f.payload.message === message;

  await send('before');
  await remote.next(notification('before'));

  await redis.stop();
  for (let i = 0; i < 5; i++) await send(`during ${i}`);
  expect((await fetch(`${other.url}/readyz`)).status).toBe(503);
  // The ingesting process delivers to its own sockets without Redis.
  for (let i = 0; i < 5; i++) await local.next(notification(`during ${i}`), 3000);

  redis = await startThrowawayRedis(redis.port);
  expect(await remote.next((f) => f.type === 'RESYNC', 10_000)).toEqual({ type: 'RESYNC', payload: { reason: 'bus_reconnected' } });
  // The outbox relay publishes what was committed during the outage: it arrives live, without a refetch.
  for (let i = 0; i < 5; i++) await remote.next(notification(`during ${i}`), 8000);

  await send('after');
  await remote.next(notification('after'), 5000);
  await local.next(notification('after'), 5000);
  expect((await fetch(`${other.url}/readyz`)).status).toBe(200);

  // Each socket saw each notification once (the relay's repeats are dropped by the gateways).
  for (const socket of [local, remote]) {
    const ids = socket.all('NOTIFICATION').map((f) => f.payload.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual([...committed].sort());
  }
  // What a client does on RESYNC: refetch. Everything committed is there, once.
  const listed = (await (await call(other.url, '/api/notifications', { token })).json()) as { id: string }[];
  expect(listed.map((item) => item.id).sort()).toEqual([...committed].sort());
  local.close();
  remote.close();
}, 40_000);
