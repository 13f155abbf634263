/**
 * Integration: real start-up failures, each provoked for real, end with exactly one line on stderr naming the
 * cause and the fix, and exit code 1. An embedded Postgres started before the failure is stopped again.
 */
import { afterAll, expect, test } from 'bun:test';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/services.ts';
import { runBelfry } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'belfry-failures-'));
chmodSync(dir, 0o755); // as root, the postgres user enters it: the data stays here
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A port something else listens on, for as long as the test holds it. */
function occupied() {
  const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  return { port: listener.port, close: () => listener.stop(true) };
}

async function failure(env: Record<string, string>) {
  const result = await runBelfry(['start'], { HOST: '127.0.0.1', ...env });
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(result.stderr).not.toContain('belfry failed to start');
  return lines[0]!;
}

test('PORT in use', async () => {
  const taken = occupied();
  try {
    const home = join(dir, 'port');
    expect(await failure({ PORT: String(taken.port), BELFRY_HOME: home })).toBe(`port ${taken.port} is in use: set PORT to a free port, or stop what uses it`);
    // The embedded Postgres it had started is gone again: its lock file is removed on a clean stop.
    expect(existsSync(join(home, 'postgres', 'postmaster.pid'))).toBe(false);
  } finally {
    taken.close();
  }
}, 30_000);

test('EMBEDDED_PG_PORT in use', async () => {
  const taken = occupied();
  try {
    expect(await failure({ PORT: String(await freePort()), BELFRY_HOME: join(dir, 'pgport'), EMBEDDED_PG_PORT: String(taken.port) })).toBe(
      `port ${taken.port} is in use: set EMBEDDED_PG_PORT to a free port, or unset it (the embedded Postgres then needs no port)`,
    );
  } finally {
    taken.close();
  }
});

test('DATABASE_URL refuses connections', async () => {
  const port = await freePort();
  expect(await failure({ PORT: String(await freePort()), DATABASE_URL: `postgres://belfry:secret@127.0.0.1:${port}/belfry` })).toBe(
    `DATABASE_URL: connection refused at 127.0.0.1:${port}: start Postgres there, or fix DATABASE_URL`,
  );
});

test('REDIS_URL refuses connections', async () => {
  const port = await freePort();
  const home = join(dir, 'redis');
  expect(await failure({ PORT: String(await freePort()), BELFRY_HOME: home, REDIS_URL: `redis://127.0.0.1:${port}` })).toBe(
    `REDIS_URL: connection refused at 127.0.0.1:${port}: start Redis there, fix REDIS_URL, or unset it (one process only)`,
  );
  expect(existsSync(join(home, 'postgres', 'postmaster.pid'))).toBe(false);
}, 30_000);

test('a second belfry on the same data folder', async () => {
  const { spawnBelfry } = await import('../helpers/process.ts');
  const home = join(dir, 'twice');
  const first = await spawnBelfry({ BELFRY_HOME: home }, { timeoutMs: 30_000 });
  try {
    const line = await failure({ PORT: String(await freePort()), BELFRY_HOME: home });
    expect(line).toStartWith(`the embedded Postgres in ${join(home, 'postgres')} is in use by another belfry (pid `);
    expect(line).toEndWith('stop that one, or set BELFRY_HOME (or EMBEDDED_PG_DIR) to another folder');
  } finally {
    expect(await first.stop()).toBe(0);
  }
}, 45_000);

test('a Postgres left running by a killed belfry is taken over at the next start', async () => {
  const { spawnBelfry } = await import('../helpers/process.ts');
  const home = join(dir, 'killed');
  const killed = await spawnBelfry({ BELFRY_HOME: home }, { timeoutMs: 30_000 });
  killed.child.kill('SIGKILL');
  await killed.child.exited;
  const orphan = Number((await Bun.file(join(home, 'postgres', 'postmaster.pid')).text()).split('\n')[0]);
  expect(() => process.kill(orphan, 0)).not.toThrow();

  const next = await spawnBelfry({ BELFRY_HOME: home, LOG_LEVEL: 'info' }, { timeoutMs: 30_000 });
  try {
    expect(next.output()).toContain(`stopping the embedded Postgres (pid ${orphan}) left running by a belfry that did not shut down`);
    expect(() => process.kill(orphan, 0)).toThrow();
  } finally {
    expect(await next.stop()).toBe(0);
  }
}, 45_000);
