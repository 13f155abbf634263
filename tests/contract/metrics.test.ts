/**
 * Contract: /metrics answers "is delivery healthy": deliveries and their latency, closes by code, publish failures
 * and relays, outbox depth, dependencies up and event-loop lag, each moving when the thing it counts happens.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { startThrowawayRedis } from '../helpers/services.ts';
import { connect } from '../helpers/ws-client.ts';
import { call } from '../helpers/http.ts';

let belfry: Belfry;
let redis: Awaited<ReturnType<typeof startThrowawayRedis>>;

beforeAll(async () => {
  redis = await startThrowawayRedis();
  belfry = await startBelfry({ redisUrl: redis.url, env: { OUTBOX_RELAY_INTERVAL_MS: '100', OUTBOX_RELAY_MIN_AGE_MS: '200' } });
});
afterAll(async () => {
  await belfry.stop();
  await redis.stop();
});

/** One sample's value from the exposition text; 0 when the series is absent. */
async function sample(name: string, labels = ''): Promise<number> {
  const text = await (await call(belfry.url, '/metrics')).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Sockets closed, whatever the code. */
async function closes(): Promise<number> {
  const text = await (await call(belfry.url, '/metrics')).text();
  return text.split('\n').filter((line) => line.startsWith('belfry_sockets_closed_total{')).reduce((sum, line) => sum + Number(line.split(' ')[1]), 0);
}

async function eventually(probe: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await Bun.sleep(50);
  }
}

test('deliveries and their latency count each notification written to a socket once, whatever the tab count', async () => {
  const token = await belfry.tokenFor('metered');
  const [one, two] = await Promise.all([connect(belfry.wsUrl, token), connect(belfry.wsUrl, token)]);
  const before = await sample('belfry_deliveries_total');
  const beforeLatency = await sample('belfry_delivery_latency_seconds_count');
  await belfry.ingest({ events: [1, 2, 3].map((i) => ({ user_id: 'metered', type: 't', message: `m${i}` })) });
  await one.next((f) => f.type === 'NOTIFICATION' && f.payload.message === 'm3');
  await two.next((f) => f.type === 'NOTIFICATION' && f.payload.message === 'm3');
  expect(await sample('belfry_deliveries_total')).toBe(before + 3);
  expect(await sample('belfry_delivery_latency_seconds_count')).toBe(beforeLatency + 3);
  // Under 10 s, from commit to write, on this machine: the +Inf bucket and the 10 s bucket agree.
  expect(await sample('belfry_delivery_latency_seconds_bucket', '{le="10"}')).toBe(await sample('belfry_delivery_latency_seconds_bucket', '{le="+Inf"}'));
  const closed = await closes();
  one.close();
  two.close();
  await eventually(async () => (await closes()) >= closed + 2);
});

test('dependencies up, outbox depth and event-loop lag are exposed', async () => {
  expect(await sample('belfry_dependency_up', '{dependency="postgres"}')).toBe(1);
  expect(await sample('belfry_dependency_up', '{dependency="bus"}')).toBe(1);
  const text = await (await call(belfry.url, '/metrics')).text();
  expect(text).toMatch(/^belfry_outbox_depth \d+$/m);
  expect(text).toMatch(/^belfry_event_loop_lag_seconds [\d.e-]+$/m);
});

test('a publish that fails is counted, and the relay that delivers it later too', async () => {
  const token = await belfry.tokenFor('relayed-user');
  const socket = await connect(belfry.wsUrl, token);
  const failures = await sample('belfry_bus_publish_failures_total');
  const relayed = await sample('belfry_outbox_relayed_total');
  await redis.stop();
  await eventually(async () => (await sample('belfry_dependency_up', '{dependency="bus"}')) === 0);
  // Committed (201) although the bus is away; this process's own socket has it at once.
  expect((await belfry.ingest({ user_id: 'relayed-user', type: 't', message: 'while away' })).status).toBe(201);
  await socket.next((f) => f.type === 'NOTIFICATION' && f.payload.message === 'while away');
  await eventually(async () => (await sample('belfry_bus_publish_failures_total')) > failures);
  expect(await sample('belfry_outbox_depth')).toBeGreaterThanOrEqual(1);
  redis = await startThrowawayRedis(redis.port);
  await eventually(async () => (await sample('belfry_outbox_relayed_total')) >= relayed + 1, 20_000);
  await eventually(async () => (await sample('belfry_outbox_depth')) === 0);
  socket.close();
}, 40_000);
