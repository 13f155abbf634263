/**
 * Contract: configuration from the environment: defaults, validation listing every problem, cross-field rules
 * checked before anything starts, production rules, and when demo mode applies.
 */
import { describe, expect, test } from 'bun:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};
const secrets = { JWT_SECRET: 'x'.repeat(32), INGEST_API_KEY: 'y'.repeat(24), ADMIN_API_KEY: 'z'.repeat(24) };

test('defaults: port 3000, embedded Postgres, local bus, generated secrets, demo mode on 127.0.0.1', () => {
  const config = loadConfig({});
  expect(config).toMatchObject({
    production: false,
    demo: true,
    logLevel: 'info',
    workers: 1,
    database: { url: undefined, embedded: { dir: '.belfry/postgres' } },
    redis: { url: undefined, prefix: 'belfry:' },
    keys: { jwtSecret: undefined, ingestApiKey: undefined, adminApiKey: undefined, metricsToken: undefined },
    auth: { maxTokenTtlSeconds: 86_400 },
    http: { port: 3000, host: '127.0.0.1' },
  });
});

test('empty strings count as unset', () => {
  expect(loadConfig({ DATABASE_URL: '', REDIS_URL: ' ' })).toMatchObject({ database: { url: undefined }, redis: { url: undefined } });
});

test('one error lists every problem', () => {
  const message = problems({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'http://x', JWT_SECRET: 'short', INGEST_API_KEY: 'k', LOG_LEVEL: 'loud', JWT_MAX_TTL: 'forever' });
  for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'INGEST_API_KEY', 'LOG_LEVEL', 'JWT_MAX_TTL']) expect(message).toContain(name);
  // Values are not echoed back: a secret may be among them.
  expect(message).not.toContain('short');
});

test('NODE_ENV=production refuses to start without a database, secrets and the admin key', () => {
  expect(problems({ NODE_ENV: 'production' })).toMatch(/DATABASE_URL[\s\S]*JWT_SECRET[\s\S]*INGEST_API_KEY[\s\S]*ADMIN_API_KEY/);
  expect(problems({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/belfry', JWT_SECRET: secrets.JWT_SECRET, INGEST_API_KEY: secrets.INGEST_API_KEY })).toContain('ADMIN_API_KEY');
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/belfry', ...secrets });
  expect(config).toMatchObject({ production: true, demo: false, http: { host: '0.0.0.0' } });
});

test('cross-field rules are checked before anything starts', () => {
  expect(problems({ WORKERS: '2' })).toContain('WORKERS: more than 1 needs REDIS_URL');
  expect(problems({ WORKERS: '2', REDIS_URL: 'redis://r', PORT: '0' })).toContain('fixed PORT');
  expect(loadConfig({ WORKERS: '2', REDIS_URL: 'redis://r' }).workers).toBe(2);
});

describe('tokens', () => {
  test('JWT_JWKS_URL needs JWT_ISSUER and JWT_AUDIENCE', () => {
    const message = problems({ JWT_JWKS_URL: 'https://idp.example/jwks.json' });
    expect(message).toContain('JWT_ISSUER');
    expect(message).toContain('JWT_AUDIENCE');
    const config = loadConfig({ JWT_JWKS_URL: 'https://idp.example/jwks.json', JWT_ISSUER: 'https://idp.example/', JWT_AUDIENCE: 'belfry' });
    expect(config.auth).toMatchObject({ jwksUrl: 'https://idp.example/jwks.json', issuer: 'https://idp.example/', audience: 'belfry' });
  });

  test('JWKS URLs must be https:, except on loopback hosts', () => {
    const idp = { JWT_ISSUER: 'i', JWT_AUDIENCE: 'a' };
    expect(problems({ ...idp, JWT_JWKS_URL: 'http://idp.example/jwks.json' })).toContain('JWT_JWKS_URL: must be https:');
    expect(problems({ ...idp, JWT_JWKS_URL: 'http://127.0.0.1.evil.example/jwks.json' })).toContain('JWT_JWKS_URL');
    for (const url of ['http://127.0.0.1:8080/jwks', 'http://localhost/jwks', 'http://[::1]:9000/jwks', 'https://idp.example/jwks']) {
      expect(loadConfig({ ...idp, JWT_JWKS_URL: url }).auth.jwksUrl).toBe(url);
    }
  });

  test('JWT_MAX_TTL takes seconds or a unit, and refuses anything else', () => {
    expect(loadConfig({ JWT_MAX_TTL: '3600' }).auth.maxTokenTtlSeconds).toBe(3600);
    expect(loadConfig({ JWT_MAX_TTL: '15m' }).auth.maxTokenTtlSeconds).toBe(900);
    expect(loadConfig({ JWT_MAX_TTL: '7d' }).auth.maxTokenTtlSeconds).toBe(604_800);
    for (const bad of ['-1', '1.5h', '0', 'h', '24 hours']) expect(problems({ JWT_MAX_TTL: bad })).toContain('JWT_MAX_TTL');
  });
});

describe('demo mode', () => {
  test('only on the embedded database with every secret generated, and never in production', () => {
    expect(loadConfig({}).demo).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x' }).demo).toBe(false);
    // The case the review found: a configured database and ingest key, only JWT_SECRET unset.
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x', INGEST_API_KEY: secrets.INGEST_API_KEY }).demo).toBe(false);
    expect(loadConfig({ INGEST_API_KEY: secrets.INGEST_API_KEY }).demo).toBe(false);
    expect(loadConfig({ JWT_SECRET: secrets.JWT_SECRET }).demo).toBe(false);
    expect(loadConfig({ ADMIN_API_KEY: secrets.ADMIN_API_KEY }).demo).toBe(false);
  });

  test('listens on 127.0.0.1 unless HOST is set; outside demo mode on every interface', () => {
    expect(loadConfig({}).http.host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).http.host).toBe('0.0.0.0');
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x' }).http.host).toBe('0.0.0.0');
  });
});

describe('origins', () => {
  test('are normalised: case, default port and a trailing slash do not matter', () => {
    const config = loadConfig({ ALLOWED_ORIGINS: 'https://App.Example:443/, http://localhost:8080', CORS_ORIGINS: 'https://embed.example/' });
    expect(config.http.allowedOrigins).toEqual(['https://app.example', 'http://localhost:8080']);
    expect(config.http.corsOrigins).toEqual(['https://embed.example']);
  });

  test('anything but an origin is refused', () => {
    for (const bad of ['https://app.example/path', 'app.example', 'ftp://app.example', 'https://user@app.example']) {
      expect(problems({ ALLOWED_ORIGINS: bad })).toContain('ALLOWED_ORIGINS');
    }
  });
});

describe('deployment behind a balancer and a pool', () => {
  test('SHUTDOWN_DRAIN_MS is off by default and at most half of SHUTDOWN_TIMEOUT_MS', () => {
    expect(loadConfig({}).shutdown).toEqual({ timeoutMs: 10_000, reconnectSpreadMs: 5000, drainMs: 0 });
    expect(loadConfig({ SHUTDOWN_DRAIN_MS: '5000' }).shutdown.drainMs).toBe(5000);
    expect(problems({ SHUTDOWN_DRAIN_MS: '6000' })).toContain('SHUTDOWN_DRAIN_MS: must be at most half of SHUTDOWN_TIMEOUT_MS');
    expect(loadConfig({ SHUTDOWN_DRAIN_MS: '6000', SHUTDOWN_TIMEOUT_MS: '15000' }).shutdown.drainMs).toBe(6000);
  });

  test('DATABASE_PREPARE is true unless set to false, and nothing else', () => {
    expect(loadConfig({}).database.prepare).toBe(true);
    expect(loadConfig({ DATABASE_PREPARE: 'false' }).database.prepare).toBe(false);
    expect(problems({ DATABASE_PREPARE: 'no' })).toContain('DATABASE_PREPARE');
  });
});
