/**
 * Integration: two belfry processes on a 6-node Redis Cluster (3 masters, 3 replicas) through the sharded bus.
 * A batch for many users is split across shards and reaches their sockets on the other process; then, with ingest
 * running, one master is failed over by its replica (CLUSTER FAILOVER) and another is killed (SIGKILL): every
 * acknowledged notification ends up exactly once in each resuming client's list, live or by the refetch after RESYNC.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { signToken } from '../../src/auth/tokens.ts';
import { shardChannel, shardOf } from '../../src/bus/shards.ts';
import { createSharedEnv, spawnBelfry, type BelfryProcess, type SharedEnv } from '../helpers/process.ts';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.ts';
import { startResumingClient } from '../helpers/resuming-client.ts';
import { connect } from '../helpers/ws-client.ts';
import { call } from '../helpers/http.ts';

let cluster: RedisCluster;
let shared: SharedEnv;
let one: BelfryProcess;
let two: BelfryProcess;
const shards = 16;

beforeAll(async () => {
  cluster = await startRedisCluster();
  shared = await createSharedEnv({
    REDIS_URL: '',
    REDIS_CLUSTER_NODES: cluster.seeds.join(','),
    REDIS_SHARDS: String(shards),
    REDIS_HEARTBEAT_MS: '500',
    REDIS_COMMAND_TIMEOUT_MS: '1000',
    OUTBOX_RELAY_INTERVAL_MS: '200',
    OUTBOX_RELAY_MIN_AGE_MS: '500',
  });
  [one, two] = await Promise.all([spawnBelfry(shared.env), spawnBelfry(shared.env)]);
}, 40_000);

afterAll(async () => {
  await Promise.all([one?.stop(), two?.stop()]);
  await shared?.database.drop();
  await cluster?.stop();
});

const ingest = (target: BelfryProcess, body: unknown) => call(target.url, '/api/events', { token: shared.ingestKey, body });

test('one batch for users on many shards reaches each user’s socket on the other process', async () => {
  const users = Array.from({ length: 12 }, (_, i) => `batch-user-${i}`);
  expect(new Set(users.map((user) => shardOf(user, shards))).size).toBeGreaterThan(4);
  const sockets = await Promise.all(users.map(async (user) => connect(two.wsUrl, await signToken(shared.jwtSecret, user))));
  const response = await ingest(one, { user_ids: users, type: 't', message: 'to everyone' });
  expect(response.status).toBe(201);
  for (const socket of sockets) expect((await socket.next((f) => f.type === 'NOTIFICATION')).payload.message).toBe('to everyone');
  for (const socket of sockets) socket.close();
});

test('a master failed over and another killed mid-stream: every acknowledged notification exactly once in the end', async () => {
  const users = Array.from({ length: 8 }, (_, i) => `stream-user-${i}`);
  const clients = new Map(await Promise.all(users.map(async (user) => [user, startResumingClient([two.url], await signToken(shared.jwtSecret, user))] as const)));
  const deadline = (ms: number) => Date.now() + ms;
  const readyBy = deadline(5000);
  while ([...clients.values()].some((client) => !client.ready()) && Date.now() < readyBy) await Bun.sleep(50);

  const acked = new Map(users.map((user) => [user, new Set<string>()]));
  let sending = true;
  const sender = (async () => {
    for (let i = 0; sending; i++) {
      const user = users[i % users.length]!;
      const response = await ingest(one, { user_id: user, type: 't', message: `n${i}` }).catch(() => undefined);
      if (response?.status === 201) for (const id of ((await response.json()) as { ids: string[] }).ids) acked.get(user)!.add(id);
      await Bun.sleep(10);
    }
  })();

  // The masters owning the first two users' shards: one is failed over gracefully, the other is killed.
  const slotOfUser = (user: string) => cluster.slotOf(shardChannel('', shardOf(user, shards)));
  await Bun.sleep(500);
  const first = await cluster.ownerOf(await slotOfUser(users[0]!));
  const started = Date.now();
  await cluster.failover(first.replica!);
  console.log(`CLUSTER FAILOVER of ${first.master.key}: settled after ${Date.now() - started} ms`);
  await Bun.sleep(1000);

  let second = await cluster.ownerOf(await slotOfUser(users[1]!));
  for (const user of users) {
    if (second.master.key !== first.replica!.key) break;
    second = await cluster.ownerOf(await slotOfUser(user));
  }
  const killedAt = Date.now();
  await cluster.kill(second.master);
  console.log(`SIGKILL of ${second.master.key}: new master after ${Date.now() - killedAt} ms`);
  await Bun.sleep(1500);
  sending = false;
  await sender;

  const missing = () => users.flatMap((user) => [...acked.get(user)!].filter((id) => !clients.get(user)!.ids().has(id)));
  const until = deadline(15_000);
  while (missing().length > 0 && Date.now() < until) await Bun.sleep(100);
  const total = [...acked.values()].reduce((sum, ids) => sum + ids.size, 0);
  console.log(`${total} acknowledged; missing after recovery: ${missing().length}; repeats dropped by clients: ${[...clients.values()].reduce((sum, c) => sum + c.repeats(), 0)}`);
  expect(missing()).toEqual([]);
  // Exactly once: each list holds exactly the user's acknowledged ids (the list is keyed by id).
  for (const user of users) expect([...clients.get(user)!.ids()].sort()).toEqual([...acked.get(user)!].sort());
  expect(total).toBeGreaterThan(50);
  expect(two.output()).toContain('shard subscriptions lost');

  // And live delivery is back on every shard.
  const probe = await connect(two.wsUrl, await signToken(shared.jwtSecret, users[1]!));
  await ingest(one, { user_id: users[1], type: 't', message: 'after the failovers' });
  await probe.next((f) => f.type === 'NOTIFICATION' && f.payload.message === 'after the failovers', 5000);
  probe.close();
  for (const client of clients.values()) client.stop();
}, 60_000);

test('a master that stops answering (SIGSTOP) is noticed by the heartbeat: 503, then RESYNC at the promoted replica', async () => {
  // A user whose master still has a replica to promote (the kill above left one master without).
  let user = '';
  let master: Awaited<ReturnType<RedisCluster['ownerOf']>>['master'] | undefined;
  for (let i = 0; !master; i++) {
    const owner = await cluster.ownerOf(await cluster.slotOf(shardChannel('', shardOf(`paused-user-${i}`, shards))));
    if (owner.replica) [user, master] = [`paused-user-${i}`, owner.master];
  }
  const token = await signToken(shared.jwtSecret, user);
  const socket = await connect(two.wsUrl, token);
  const started = Date.now();
  cluster.pause(master);
  try {
    let notReadyAt: number | undefined;
    const watch = setInterval(async () => {
      const status = await fetch(`${two.url}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status, () => 0);
      if (notReadyAt === undefined && status === 503) notReadyAt = Date.now() - started;
    }, 100);
    try {
      await socket.next((f) => f.type === 'RESYNC', 15_000);
    } finally {
      clearInterval(watch);
    }
    console.log(`paused master ${master.key}: /readyz 503 after ${notReadyAt ?? 'never seen'} ms, RESYNC after ${Date.now() - started} ms`);
    expect(notReadyAt).toBeDefined();
  } finally {
    cluster.resume(master);
  }
  const response = await ingest(one, { user_id: user, type: 't', message: 'after the pause' });
  expect(response.status).toBe(201);
  await socket.next((f) => f.type === 'NOTIFICATION' && f.payload.message === 'after the pause', 5000);
  socket.close();
}, 30_000);
