/**
 * Real Postgres and real Redis for the tests: finding them, and a throwaway database per test file.
 */
import { loadConfig } from '../../src/config.ts';
import postgres from 'postgres';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSql, type Sql } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { postgresAnswers, redisAnswers } from './probes.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';

export interface TestServices {
  databaseUrl: string;
  redisUrl: string;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

/** True when nothing listens on 127.0.0.1 at `port` (a fixed port a test is about to hand out). */
export async function portIsFree(port: number): Promise<boolean> {
  try {
    Bun.listen({ hostname: '127.0.0.1', port, socket: { data() {} } }).stop(true);
    return true;
  } catch {
    return false;
  }
}

/** Starts a redis-server that keeps nothing, on a free port; the caller stops it with the returned function. */
export async function startThrowawayRedis(port?: number): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const binary = Bun.which('redis-server');
  if (!binary) throw new Error('redis-server is not on PATH: install it (Debian: apt-get install -y redis-server) or set REDIS_URL');
  const chosen = port ?? (await freePort());
  const child = Bun.spawn([binary, '--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const url = `redis://127.0.0.1:${chosen}`;
  for (let attempt = 0; attempt < 100 && !(await redisAnswers(url)); attempt++) await Bun.sleep(50);
  return {
    url,
    port: chosen,
    async stop() {
      child.kill('SIGKILL');
      await child.exited;
    },
  };
}

/** Resolves the suite's Postgres and Redis (see tests/preload.ts for the order). */
export async function resolveTestServices(): Promise<TestServices> {
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const local = 'postgres://postgres@127.0.0.1:5432/postgres';
    if (await postgresAnswers(local)) databaseUrl = local;
    else {
      const dir = mkdtempSync(join(tmpdir(), 'belfry-test-pg-'));
      chmodSync(dir, 0o755); // as root, Postgres runs as `postgres`, which must be able to enter it
      const embedded = await startEmbeddedPostgres({ dir, port: await freePort() });
      process.on('exit', () => void embedded.stop());
      databaseUrl = embedded.url;
    }
  }
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const local = 'redis://127.0.0.1:6379';
    if (await redisAnswers(local)) redisUrl = local;
    else {
      if (!Bun.which('redis-server')) {
        console.error('belfry tests need Redis: set REDIS_URL, start Redis on 127.0.0.1:6379, or install redis-server (apt-get install -y redis-server).');
        process.exit(1);
      }
      const redis = await startThrowawayRedis();
      process.on('exit', () => void redis.stop());
      redisUrl = redis.url;
    }
  }
  return { databaseUrl, redisUrl };
}

/** The services the preload found. */
export function testServices(): TestServices {
  const databaseUrl = process.env.BELFRY_TEST_DATABASE_URL;
  const redisUrl = process.env.BELFRY_TEST_REDIS_URL;
  if (!databaseUrl || !redisUrl) throw new Error('tests/preload.ts did not run (bunfig.toml [test] preload)');
  return { databaseUrl, redisUrl };
}

export interface TestDatabase {
  url: string;
  sql: Sql;
  drop(): Promise<void>;
}

/** Creates a fresh, migrated database; call `drop` when done (afterAll). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = postgres(testServices().databaseUrl, { max: 1, onnotice: () => {} });
  const name = `belfry_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await admin.unsafe(`create database ${name}`);
  const url = new URL(testServices().databaseUrl);
  url.pathname = `/${name}`;
  const sql = createSql(url.toString(), { max: 10, statementTimeoutMs: loadConfig({}).database.statementTimeoutMs });
  await migrate(sql);
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await sql.end({ timeout: 2 });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 2 });
  };
  return { url: url.toString(), sql, drop };
}
