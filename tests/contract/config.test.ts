/**
 * Contract: configuration from the environment: defaults, validation listing every problem, production rules.
 */
import { expect, test } from 'bun:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

test('defaults: port 3000, embedded Postgres, local bus, generated secrets', () => {
  const config = loadConfig({});
  expect(config).toMatchObject({
    port: 3000,
    databaseUrl: undefined,
    redisUrl: undefined,
    jwtSecret: undefined,
    ingestApiKey: undefined,
    logLevel: 'info',
    workers: 1,
    production: false,
  });
});

test('empty strings count as unset', () => {
  expect(loadConfig({ DATABASE_URL: '', REDIS_URL: ' ' })).toMatchObject({ databaseUrl: undefined, redisUrl: undefined });
});

test('one error lists every problem', () => {
  let error: unknown;
  try {
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'http://x', JWT_SECRET: 'short', INGEST_API_KEY: 'k', LOG_LEVEL: 'loud' });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'INGEST_API_KEY', 'LOG_LEVEL']) expect(message).toContain(name);
  // Values are not echoed back: a secret may be among them.
  expect(message).not.toContain('short');
});

test('NODE_ENV=production refuses to start without real secrets and a database', () => {
  expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/DATABASE_URL[\s\S]*JWT_SECRET[\s\S]*INGEST_API_KEY/);
  expect(
    loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/belfry',
      JWT_SECRET: 'x'.repeat(32),
      INGEST_API_KEY: 'y'.repeat(24),
    }).production,
  ).toBe(true);
});
