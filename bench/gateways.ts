/**
 * What a gateway pays for bus traffic it does not deliver. Starts GATEWAYS belfry processes (`bun src/main.ts`) on
 * free ports below 32768, each holding SOCKETS sockets for users of its own, plus one more belfry that only takes
 * ingest; all share one throwaway database and one bus. This process then posts one event a request, RATE a second,
 * for users drawn uniformly from USERS, so almost every bus message is for a user no gateway holds.
 *
 *   bun bench/gateways.ts                  BUS=redis|cluster GATEWAYS=20 SOCKETS=10 USERS=10000 RATE=500 IDLE_S=10 DURATION_S=20
 *
 * BUS=redis uses the Redis at REDIS_URL (default redis://127.0.0.1:6379) with a fresh prefix; BUS=cluster starts the
 * 6-node loopback cluster of tests/helpers/redis-cluster.ts. Postgres is DATABASE_URL (default the local one); the
 * database is created and dropped here. Each gateway's CPU and RSS are read from /proc, first over IDLE_S seconds with
 * sockets open and no ingest (the baseline: heartbeats, outbox relay, bus pings), then over DURATION_S seconds of
 * ingest. Prints one JSON line with the median and spread across gateways, and the load average at start and end.
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import postgres from 'postgres';
import { createSql } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { createRedisBus } from '../src/bus/redis.ts';
import { createClusterBus } from '../src/bus/cluster.ts';
import type { Bus } from '../src/bus/messages.ts';
import { createLogger } from '../src/log.ts';
import { tokenSigner } from './lib/jwt.ts';
import { startRedisCluster, type RedisCluster } from '../tests/helpers/redis-cluster.ts';
import { portIsFree } from '../tests/helpers/services.ts';
import { cpuSeconds, rssKiB } from './lib/proc.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const busMode = process.env.BUS === 'cluster' ? 'cluster' : 'redis';
const gateways = env('GATEWAYS', 20);
const socketsEach = env('SOCKETS', 10);
const userCount = env('USERS', 10_000);
const rate = env('RATE', 500);
const idleSeconds = env('IDLE_S', 10);
const seconds = env('DURATION_S', 20);
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const main = resolve(import.meta.dir, '..', 'src', 'main.ts');
const log = createLogger('warn');
const random = () => Math.random().toString(36).slice(2, 10);

const rssMiB = (pid: number) => rssKiB(pid) / 1024;
async function freeLowPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 23_000 + Math.floor(Math.random() * 9_000);
    if (!taken.has(port) && (await portIsFree(port))) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port below 32768');
}

async function until(what: string, deadlineMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${deadlineMs} ms`);
    await Bun.sleep(100);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (value: number, digits = 3) => Number(value.toFixed(digits));

// The database: created here, migrated once, dropped at the end.
const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
const dbName = `belfry_bench_gw_${Date.now().toString(36)}_${random()}`;
await admin.unsafe(`create database ${dbName}`);
const dbUrl = new URL(databaseUrl);
dbUrl.pathname = `/${dbName}`;
{
  const sql = createSql(dbUrl.toString(), { max: 1, statementTimeoutMs: 60_000 });
  await migrate(sql);
  await sql.end({ timeout: 2 });
}

let cluster: RedisCluster | undefined;
const children: ReturnType<typeof Bun.spawn>[] = [];
let listener: Bus | undefined;
const sockets: WebSocket[] = [];

try {
  const prefix = `bench-gw-${random()}:`;
  let busEnv: Record<string, string>;
  if (busMode === 'cluster') {
    cluster = await startRedisCluster();
    busEnv = { REDIS_CLUSTER_NODES: cluster.seeds.join(','), REDIS_PREFIX: prefix };
    listener = await createClusterBus({ nodes: cluster.seeds.map((seed) => `redis://${seed}`), prefix, log });
  } else {
    busEnv = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix };
    listener = await createRedisBus({ url: redisUrl, prefix, log });
  }
  let busMessages = 0;
  listener.onMessage(() => void busMessages++);

  const jwtSecret = `bench-secret-${random()}-${random()}-${random()}-${random()}`;
  const ingestKey = `bench-ingest-${random()}-${random()}-${random()}`;
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i <= gateways; i++) {
    const port = await freeLowPort(taken);
    ports.push(port);
    children.push(
      Bun.spawn([process.execPath, main], {
        env: {
          ...process.env,
          ...busEnv,
          NODE_ENV: 'test',
          HOST: '127.0.0.1',
          PORT: String(port),
          DATABASE_URL: dbUrl.toString(),
          JWT_SECRET: jwtSecret,
          INGEST_API_KEY: ingestKey,
          ADMIN_API_KEY: `bench-admin-${random()}-${random()}-${random()}`,
          LOG_LEVEL: 'warn',
          INGEST_RATE_LIMIT: '1000000',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
  }
  for (const port of ports) await until(`belfry on ${port}`, 30_000, async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok);

  // Gateway g holds users g*SOCKETS … g*SOCKETS+SOCKETS-1 (one socket each); the last process only ingests.
  const sign = tokenSigner(jwtSecret);
  let delivered = 0;
  for (let g = 0; g < gateways; g++) {
    for (let s = 0; s < socketsEach; s++) {
      const token = await sign(`user-${g * socketsEach + s}`);
      const ws = new WebSocket(`ws://127.0.0.1:${ports[g]}/ws?token=${token}`);
      ws.onmessage = (event) => {
        if (String(event.data).includes('"NOTIFICATION"')) delivered++;
      };
      await new Promise<void>((done, fail) => {
        ws.onopen = () => done();
        ws.onerror = () => fail(new Error(`socket to gateway ${g} failed`));
      });
      sockets.push(ws);
    }
  }

  const pids = children.slice(0, gateways).map((child) => child.pid);
  const sample = () => pids.map((pid) => cpuSeconds(pid));
  const loadAtStart = loadavg().map((value) => round(value, 2));

  // Baseline: sockets open, nothing ingested.
  const idleFrom = sample();
  await Bun.sleep(idleSeconds * 1000);
  const idleCpu = sample().map((cpu, i) => cpu - idleFrom[i]!);

  // Load: one event a request, RATE a second in 10 ms ticks, at most 256 requests in flight.
  const ingestUrl = `http://127.0.0.1:${ports[gateways]}/api/events`;
  let sent = 0;
  let acknowledged = 0;
  let failed = 0;
  let inFlight = 0;
  const post = async (user: number) => {
    inFlight++;
    try {
      const response = await fetch(ingestUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey}` },
        body: JSON.stringify({ user_id: `user-${user}`, type: 'bench', message: `bench ${sent}` }),
      });
      await response.arrayBuffer();
      if (response.status === 201) acknowledged++;
      else failed++;
    } catch {
      failed++;
    } finally {
      inFlight--;
    }
  };
  busMessages = 0;
  delivered = 0;
  const loadFrom = sample();
  const startedAt = performance.now();
  const until_ = Date.now() + seconds * 1000;
  let owed = 0;
  for (let tick = Date.now(); tick < until_; tick += 10) {
    owed += rate / 100;
    for (; owed >= 1; owed--) {
      if (inFlight >= 256) continue; // dropped, counted by sent falling short of RATE × DURATION_S
      sent++;
      void post(Math.floor(Math.random() * userCount));
    }
    await Bun.sleep(Math.max(0, tick + 10 - Date.now()));
  }
  await until('ingest to settle', 10_000, async () => inFlight === 0);
  await Bun.sleep(300);
  const elapsed = (performance.now() - startedAt) / 1000;
  const loadCpu = sample().map((cpu, i) => cpu - loadFrom[i]!);
  const rss = pids.map(rssMiB);
  const loadAtEnd = loadavg().map((value) => round(value, 2));

  const idlePerSecond = idleCpu.map((cpu) => cpu / idleSeconds);
  const loadPerSecond = loadCpu.map((cpu) => cpu / elapsed);
  const busPerSecond = loadPerSecond.map((cpu, i) => cpu - idlePerSecond[i]!);
  const per1000 = busPerSecond.map((cpu) => (cpu / (busMessages / elapsed)) * 1000);
  console.log(
    JSON.stringify({
      bus: busMode,
      gateways,
      socketsEach,
      users: userCount,
      rate,
      seconds: round(elapsed, 1),
      sent,
      acknowledged,
      failed,
      busMessages,
      busPerSecond: round(busMessages / elapsed, 0),
      delivered,
      idleCpuSecondsPerSecond: { median: round(median(idlePerSecond), 4), min: round(Math.min(...idlePerSecond), 4), max: round(Math.max(...idlePerSecond), 4) },
      loadCpuSecondsPerSecond: { median: round(median(loadPerSecond), 4), min: round(Math.min(...loadPerSecond), 4), max: round(Math.max(...loadPerSecond), 4) },
      busCpuSecondsPerSecond: round(median(busPerSecond), 4),
      busCpuSecondsPer1000Messages: round(median(per1000), 4),
      rssMiB: { median: round(median(rss), 1), min: round(Math.min(...rss), 1), max: round(Math.max(...rss), 1) },
      loadAverage: { start: loadAtStart, end: loadAtEnd },
    }),
  );
} finally {
  for (const ws of sockets) ws.close();
  for (const child of children) child.kill('SIGTERM');
  await Promise.race([Promise.all(children.map((child) => child.exited)), Bun.sleep(15_000)]);
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await listener?.close();
  await cluster?.stop();
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end({ timeout: 2 });
}
