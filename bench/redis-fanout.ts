/**
 * What one Redis pays to fan a channel out to many gateways: a throwaway redis-server (so its CPU is its own), SUBS
 * subscriber connections on one channel in PROCS child processes, and a publisher sending single-event-sized messages
 * at RATE/s for DURATION_S. Reads redis-server's CPU from /proc and counts what the subscribers received.
 *
 *   bun bench/redis-fanout.ts            SUBS=50 PROCS=2 RATE=2000 BYTES=330 DURATION_S=10
 *
 * Prints one JSON line per run with deliveries/s, Redis CPU (cores) and Redis CPU per delivery (µs), and the load
 * average; the docs' Redis ceiling is 1 core ÷ CPU per delivery.
 */
import { loadavg } from 'node:os';
import Redis from 'ioredis';
import { cpuSeconds } from './lib/proc.ts';
import { startThrowawayRedis } from '../tests/helpers/services.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const subs = env('SUBS', 50);
const procs = env('PROCS', 2);
const rate = env('RATE', 2000);
const bytes = env('BYTES', 330);
const seconds = env('DURATION_S', 10);
const channel = 'belfry:events';

if (process.env.ROLE === 'receiver') {
  const connections = await Promise.all(
    Array.from({ length: Number(process.env.COUNT) }, async () => {
      const r = new Redis(process.env.URL!, { lazyConnect: true });
      await r.connect();
      await r.subscribe(channel);
      return r;
    }),
  );
  let received = 0;
  for (const r of connections) r.on('message', () => void received++);
  process.stdout.write('ready\n');
  const lines = (console as unknown as AsyncIterable<string>)[Symbol.asyncIterator]();
  await lines.next();
  received = 0;
  await lines.next();
  process.stdout.write(`${received}\n`);
  for (const r of connections) r.disconnect();
  process.exit(0);
}

const redis = await startThrowawayRedis();
const admin = new Redis(redis.url);
const pid = Number(/process_id:(\d+)/.exec(await admin.info('server'))?.[1]);
const per = Math.ceil(subs / procs);
const children = Array.from({ length: procs }, (_, i) =>
  Bun.spawn([process.execPath, import.meta.path], {
    env: { ...process.env, ROLE: 'receiver', URL: redis.url, COUNT: String(Math.min(per, subs - i * per)) },
    stdin: 'pipe',
    stdout: 'pipe',
  }),
);
const readers = children.map((child) => child.stdout.getReader());
const readLine = async (reader: ReadableStreamDefaultReader<Uint8Array>) => new TextDecoder().decode((await reader.read()).value).trim();
const tell = (line: string) => children.forEach((child) => (child.stdin.write(`${line}\n`), child.stdin.flush()));

try {
  for (const reader of readers) if ((await readLine(reader)) !== 'ready') throw new Error('receiver did not start');
  const message = JSON.stringify({ kind: 'notifications', items: [{ id: '1', user_id: 'user-1', type: 'bench', message: 'x'.repeat(Math.max(1, bytes - 110)), created_at: new Date().toISOString() }] });
  const load = loadavg()[0]!;
  tell('start');
  const cpuBefore = cpuSeconds(pid);
  const started = Date.now();
  let published = 0;
  for (let tick = started; tick < started + seconds * 1000; tick += 10) {
    const batch = Math.round(rate / 100);
    const pipeline = admin.pipeline();
    for (let i = 0; i < batch; i++) pipeline.publish(channel, message);
    void pipeline.exec();
    published += batch;
    await Bun.sleep(Math.max(0, tick + 10 - Date.now()));
  }
  await Bun.sleep(500);
  const cpu = cpuSeconds(pid) - cpuBefore;
  const elapsed = (Date.now() - started) / 1000;
  tell('stop');
  const received = (await Promise.all(readers.map(readLine))).reduce((sum, line) => sum + Number(line), 0);
  console.log(JSON.stringify({
    subscribers: subs, bytes: message.length, published, expected: published * subs, received,
    deliveriesPerSec: Math.round(received / elapsed), redisCores: Number((cpu / elapsed).toFixed(3)),
    redisUsPerDelivery: Number(((cpu * 1e6) / Math.max(1, received)).toFixed(3)), load: Number(load.toFixed(2)),
  }));
} finally {
  for (const child of children) child.kill();
  admin.disconnect();
  await redis.stop();
}
