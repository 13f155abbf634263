/**
 * startBelfry for tests: a real belfry on port 0 with its own throwaway database, real Redis (own channel
 * prefix, so test files never hear each other) or the local bus, and random secrets.
 */
import { resolve } from 'node:path';
import type { Sql } from '../../src/db/client.ts';
import { createLocalBus } from '../../src/bus/local.ts';
import { createRedisBus } from '../../src/bus/redis.ts';
import type { Bus } from '../../src/bus/messages.ts';
import { createLogger } from '../../src/log.ts';
import { signToken } from '../../src/auth/tokens.ts';
import { startBelfry as startProcess, type Belfry as Process } from '../../src/belfry.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createTestDatabase, testServices, type TestDatabase } from './services.ts';
import { documentedFetch } from './openapi-recorder.ts';

export interface StartOptions {
  bus?: 'redis' | 'local';
  /** Defaults to the built panel, web/dist. */
  staticDir?: string;
  demo?: boolean;
  /** Share a database with another instance (cross-process tests). */
  database?: TestDatabase;
  redisUrl?: string;
  redisPrefix?: string;
  jwtSecret?: string;
  ingestKey?: string;
  adminKey?: string;
  /**
   * More environment, parsed by the same loadConfig as in production (limits, relay timing, JWKS, origins, retention):
   * tests configure belfry the way an operator does, and every default comes from src/config.ts.
   */
  env?: Record<string, string>;
}

export interface Belfry {
  url: string;
  wsUrl: string;
  port: number;
  ingestKey: string;
  adminKey: string;
  jwtSecret: string;
  redisPrefix: string;
  config: Config;
  database: TestDatabase;
  sql: Sql;
  bus: Bus;
  process: Process;
  tokenFor(userId: string, opts?: { expiresInSeconds?: number }): Promise<string>;
  ingest(body: unknown): Promise<Response>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const random = () => Math.random().toString(36).slice(2, 10);
const webDist = resolve(import.meta.dir, '..', '..', 'web', 'dist');

/** Starts a belfry for a test; `stop` closes it and drops its database (unless the database was passed in). */
export async function startBelfry(options: StartOptions = {}): Promise<Belfry> {
  const ownDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase());
  const jwtSecret = options.jwtSecret ?? `test-secret-${random()}-${random()}-${random()}-${random()}`;
  const ingestKey = options.ingestKey ?? `test-ingest-${random()}-${random()}-${random()}`;
  const adminKey = options.adminKey ?? `test-admin-${random()}-${random()}-${random()}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    JWT_SECRET: jwtSecret,
    INGEST_API_KEY: ingestKey,
    ADMIN_API_KEY: adminKey,
    HOST: '127.0.0.1',
    PORT: '0',
    ...options.env,
  });
  const redisPrefix = options.redisPrefix ?? `belfry-test:${random()}:`;
  const log = createLogger((process.env.BELFRY_TEST_LOG_LEVEL as 'silent' | undefined) ?? 'silent');
  const bus: Bus =
    options.bus === 'local'
      ? createLocalBus()
      : await createRedisBus({ ...config.redis, url: options.redisUrl ?? testServices().redisUrl, prefix: redisPrefix, log });

  let port = 0;
  const start = () =>
    startProcess({
      sql: database.sql,
      bus,
      log,
      keys: { jwtSecret, ingestApiKey: ingestKey, adminApiKey: adminKey, metricsToken: config.keys.metricsToken },
      auth: config.auth,
      http: { ...config.http, port, staticDir: options.staticDir ?? webDist, reusePort: false },
      limits: config.limits,
      relay: config.relay,
      retentionDays: config.retentionDays,
      demo: options.demo ?? false,
    });
  let current = start();
  port = current.server.port!;
  const url = `http://127.0.0.1:${port}`;

  const belfry: Belfry = {
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    ingestKey,
    adminKey,
    jwtSecret,
    redisPrefix,
    config,
    database,
    sql: database.sql,
    bus,
    get process() {
      return current;
    },
    tokenFor: (userId, opts) => signToken(jwtSecret, userId, opts?.expiresInSeconds ?? 3600, config.auth.audience),
    ingest: (body) =>
      documentedFetch(`${url}/api/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    async restart() {
      await current.stop({ reconnectSpreadMs: 0, timeoutMs: config.shutdown.timeoutMs, drainMs: config.shutdown.drainMs });
      current = start();
    },
    async stop() {
      await current.stop({ reconnectSpreadMs: 0, timeoutMs: 1000, drainMs: 0 });
      await bus.close();
      if (ownDatabase) await database.drop();
    },
  };
  return belfry;
}
