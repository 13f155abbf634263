/**
 * What a gateway with few sockets pays on the Redis Cluster bus: subscribed to every shard, or only to the shards of
 * the users it holds. Starts a throwaway 6-node cluster, a receiving gateway's bus in a child process (so its CPU is
 * its own), and publishes single-user notifications for random users from this process.
 *
 *   bun bench/cluster-shards.ts            RATE=2000 DURATION_S=10 SHARDS=16 HELD_USERS=3
 *
 * Prints, per mode, messages received and CPU time of the receiving process, and the load average.
 */
import { loadavg } from 'node:os';
import { createClusterBus } from '../src/bus/cluster.ts';
import { shardOf } from '../src/bus/shards.ts';
import { createLogger } from '../src/log.ts';
import { startRedisCluster } from '../tests/helpers/redis-cluster.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const rate = env('RATE', 2000);
const seconds = env('DURATION_S', 10);
const shards = env('SHARDS', 16);
const heldUsers = env('HELD_USERS', 3);
const log = createLogger('warn');

if (process.env.ROLE === 'receiver') {
  const subscribeTo = process.env.SUBSCRIBE_TO ? process.env.SUBSCRIBE_TO.split(',').map(Number) : undefined;
  const bus = await createClusterBus({ nodes: process.env.NODES!.split(','), prefix: process.env.PREFIX!, log, shards, subscribeTo });
  let messages = 0;
  bus.onMessage(() => void messages++);
  process.stdout.write('ready\n');
  // Measure between the parent's start and stop lines, so connecting is not counted.
  const lines = (console as unknown as AsyncIterable<string>)[Symbol.asyncIterator]();
  await lines.next();
  const cpu = process.cpuUsage();
  messages = 0;
  await lines.next();
  const used = process.cpuUsage(cpu);
  process.stdout.write(`${JSON.stringify({ messages, cpuMs: Math.round((used.user + used.system) / 1000) })}\n`);
  await bus.close();
  process.exit(0);
}

const cluster = await startRedisCluster();
const nodes = cluster.seeds.map((seed) => `redis://${seed}`);
const prefix = `bench-${crypto.randomUUID()}:`;
const publisher = await createClusterBus({ nodes, prefix, log, shards });
const users = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
const held = users.slice(0, heldUsers);
const heldShards = [...new Set(held.map((user) => shardOf(user, shards)))];

async function measure(mode: 'all' | 'held') {
  const child = Bun.spawn([process.execPath, import.meta.path], {
    env: { ...process.env, ROLE: 'receiver', NODES: nodes.join(','), PREFIX: prefix, SUBSCRIBE_TO: mode === 'held' ? heldShards.join(',') : '' },
    stdin: 'pipe',
    stdout: 'pipe',
  });
  const reader = child.stdout.getReader();
  const readLine = async () => new TextDecoder().decode((await reader.read()).value).trim();
  if ((await readLine()) !== 'ready') throw new Error('receiver did not start');
  child.stdin.write('start\n');
  child.stdin.flush();
  const load = loadavg()[0]!;
  let published = 0;
  const until = Date.now() + seconds * 1000;
  for (let tick = Date.now(); tick < until; tick += 10) {
    const batch = Math.round(rate / 100);
    for (let i = 0; i < batch; i++) {
      const user = users[Math.floor(Math.random() * users.length)]!;
      const id = String(++published);
      void publisher.publish({ kind: 'notifications', items: [{ id, user_id: user, type: 'bench', message: `notification ${id}`, created_at: new Date().toISOString() }] });
    }
    await Bun.sleep(Math.max(0, tick + 10 - Date.now()));
  }
  await Bun.sleep(500);
  child.stdin.write('stop\n');
  child.stdin.flush();
  const result = JSON.parse(await readLine()) as { messages: number; cpuMs: number };
  await child.exited;
  return { mode, subscribed: mode === 'all' ? shards : heldShards.length, published, ...result, cpuPerSecondMs: Math.round(result.cpuMs / seconds), load: Number(load.toFixed(2)) };
}

try {
  for (const mode of ['all', 'held', 'all', 'held'] as const) console.log(JSON.stringify(await measure(mode)));
} finally {
  await publisher.close();
  await cluster.stop();
}
