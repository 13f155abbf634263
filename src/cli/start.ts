/**
 * `belfry start`: config → database (embedded or DATABASE_URL) → migrations → bus → server(s) → signals.
 * A failing step ends start-up with one line naming the cause and the fix (src/startup-errors.ts).
 */
import Redis from 'ioredis';
import { createSql, type Sql } from '../db/client.ts';
import { createLocalBus } from '../bus/local.ts';
import { createRedisBus } from '../bus/redis.ts';
import { createClusterBus } from '../bus/cluster.ts';
import type { Bus } from '../bus/messages.ts';
import { startBelfry } from '../belfry.ts';
import type { Logger } from '../log.ts';
import { step } from '../startup-errors.ts';
import { resolveKeys, type CliContext, type Keys } from './context.ts';
import { applyMigrations, openDatabase } from './database.ts';
import { preparePanel } from './panel.ts';

/** Connects once with no retries, so a wrong REDIS_URL fails with its real cause (the bus only says "closed"). */
async function probeRedis(url: string) {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let cause: unknown;
  probe.on('error', (error) => (cause ??= error));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw cause ?? error;
  } finally {
    probe.disconnect();
  }
}

/** The first seed that answers is enough for the Cluster to learn the rest; when none does, the first one's cause. */
async function probeAnySeed(seeds: string[]) {
  let first: unknown;
  for (const seed of seeds) {
    try {
      return await probeRedis(seed);
    } catch (error) {
      first ??= error;
    }
  }
  throw first;
}

async function openBus(context: CliContext): Promise<Bus> {
  const { config, log } = context;
  const url = config.redis.url;
  const nodes = config.redis.clusterNodes;
  if (nodes.length > 0) {
    return step('redis', async () => {
      await probeAnySeed(nodes);
      return createClusterBus({ ...config.redis, nodes, log });
    });
  }
  if (!url) {
    log.warn('REDIS_URL is unset: using the in-process bus; notifications reach sockets of THIS process only (single process)');
    return createLocalBus();
  }
  return step('redis', async () => {
    await probeRedis(url);
    return createRedisBus({ ...config.redis, url, log });
  });
}

/** Printed for the person at the terminal, not logged: demo mode only, where every key was generated for this folder. */
function printDemo(context: CliContext, port: number, ingestApiKey: string) {
  const base = `http://localhost:${port}`;
  const body = JSON.stringify({ user_id: 'demo', type: 'test', message: 'Hello from belfry' });
  context.out(
    [
      '',
      `  belfry demo is ready: ${base}/`,
      '  send a test notification:',
      `  curl -X POST ${base}/api/events -H 'authorization: Bearer ${ingestApiKey}' -H 'content-type: application/json' -d '${body}'`,
      '',
    ].join('\n'),
  );
}

/** SIGTERM/SIGINT: stop in order, but never take longer than the hard timeout. */
function onSignals(context: CliContext, log: Logger, stop: () => Promise<void>) {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, context.config.shutdown.timeoutMs).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** One serving process on an open database; returns its port. `cleanup` closes what it opened if start-up fails. */
async function runProcess(context: CliContext, url: string, keys: Keys, staticDir: string, onStopped: () => Promise<void>, cleanup: (close: () => Promise<unknown>) => void) {
  const { config, log } = context;
  const sql: Sql = createSql(url, { statementTimeoutMs: config.database.statementTimeoutMs, prepare: config.database.prepare });
  cleanup(() => sql.end({ timeout: 1 }));
  const bus = await openBus(context);
  cleanup(() => bus.close());
  const belfry = await step('http', () =>
    startBelfry({
      sql,
      bus,
      log,
      keys,
      auth: config.auth,
      http: { ...config.http, staticDir, reusePort: config.workers > 1 || context.workerDatabaseUrl !== undefined },
      limits: config.limits,
      relay: config.relay,
      retentionDays: config.retentionDays,
      demo: config.demo,
    }),
  );
  log.info({ port: belfry.server.port, host: config.http.host, bus: config.redis.clusterNodes.length > 0 ? 'redis-cluster' : config.redis.url ? 'redis' : 'local', demo: config.demo }, 'belfry listening');
  onSignals(context, log, async () => {
    // Leave a quarter of the hard timeout for closing connections.
    await belfry.stop({ ...config.shutdown, timeoutMs: config.shutdown.timeoutMs * 0.75 });
    await bus.close();
    await sql.end({ timeout: 5 });
    await onStopped();
  });
  return belfry.server.port ?? config.http.port;
}

/**
 * Starts belfry. On a failed start everything opened so far is closed (the embedded Postgres last) before the
 * error propagates to main.ts, which prints its one line.
 */
export async function startCommand(context: CliContext): Promise<void> {
  const { config, log } = context;
  const opened: (() => Promise<unknown>)[] = [];
  const cleanup = (close: () => Promise<unknown>) => void opened.unshift(close);
  try {
    const keys = await step('files', () => resolveKeys(context));
    const staticDir = await step('panel', () => preparePanel({ staticDir: config.http.staticDir, baseDir: context.baseDir, sourceRoot: context.sourceRoot, log }));
    if (context.workerDatabaseUrl) return void (await runProcess(context, context.workerDatabaseUrl, keys, staticDir, async () => {}, cleanup));

    const { url, embedded } = await openDatabase(context);
    if (embedded) cleanup(() => embedded.stop());
    await applyMigrations(context, url);

    if (config.workers > 1) {
      // Workers read the same environment (so the same config, demo mode included) and the same secrets file;
      // only the embedded database's URL is handed down, as it exists once the primary has started it.
      const env = { ...context.env, BELFRY_WORKER: '1', BELFRY_WORKER_DATABASE_URL: url };
      const children = Array.from({ length: config.workers }, () => Bun.spawn([...context.selfCommand, 'start'], { env, stdio: ['ignore', 'inherit', 'inherit'] }));
      log.info({ workers: config.workers, port: config.http.port }, 'cluster started');
      onSignals(context, log, async () => {
        for (const child of children) child.kill('SIGTERM');
        await Promise.all(children.map((child) => child.exited));
        await embedded?.stop();
      });
      return;
    }

    const port = await runProcess(context, url, keys, staticDir, async () => void (await embedded?.stop()), cleanup);
    if (config.demo) printDemo(context, port, keys.ingestApiKey);
  } catch (error) {
    for (const close of opened) await close().catch(() => {});
    throw error;
  }
}
