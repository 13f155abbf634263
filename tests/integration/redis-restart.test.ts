/**
 * Integration: Redis goes away mid-stream and comes back. Ingest keeps committing, the subscription is restored,
 * connected clients are told to RESYNC, and nothing committed is missing from what they can fetch.
 * Uses a throwaway redis-server on its own port, never the shared one.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { startThrowawayRedis } from '../helpers/services.ts';
import { connect } from '../helpers/ws-client.ts';
import { call } from '../helpers/http.ts';

let redis: Awaited<ReturnType<typeof startThrowawayRedis>>;
let belfry: Belfry;

beforeAll(async () => {
  redis = await startThrowawayRedis();
  belfry = await startBelfry({ redisUrl: redis.url, tuning: { relay: { intervalMs: 200, minAgeMs: 500 } } });
});
afterAll(async () => {
  await belfry.stop();
  await redis.stop();
});

test('restart mid-stream: RESYNC, live delivery resumes, every committed notification can be fetched', async () => {
  const token = await belfry.tokenFor('alice');
  const socket = await connect(belfry.wsUrl, token);
  const committed: string[] = [];
  const send = async (message: string) => {
    const response = await belfry.ingest({ user_id: 'alice', type: 't', message });
    expect(response.status).toBe(201);
    committed.push(...((await response.json()) as { ids: string[] }).ids);
  };

  await send('before');
  await socket.next((f) => f.type === 'NOTIFICATION' && f.payload.message === 'before');

  await redis.stop();
  for (let i = 0; i < 5; i++) await send(`during ${i}`);
  expect((await fetch(`${belfry.url}/readyz`)).status).toBe(503);

  redis = await startThrowawayRedis(redis.port);
  expect(await socket.next((f) => f.type === 'RESYNC', 10_000)).toEqual({ type: 'RESYNC', payload: { reason: 'bus_reconnected' } });

  // The outbox relay publishes what was committed during the outage: it arrives live, without a refetch.
  for (let i = 0; i < 5; i++) await socket.next((f) => f.type === 'NOTIFICATION' && f.payload.message === `during ${i}`, 8000);

  await send('after');
  await socket.next((f) => f.type === 'NOTIFICATION' && f.payload.message === 'after', 5000);
  expect((await fetch(`${belfry.url}/readyz`)).status).toBe(200);

  // What a client does on RESYNC: refetch. Everything committed is there, once.
  const listed = (await (await call(belfry.url, '/api/notifications', { token })).json()) as { id: string }[];
  expect(listed.map((item) => item.id).sort()).toEqual([...committed].sort());
  socket.close();
}, 30_000);
