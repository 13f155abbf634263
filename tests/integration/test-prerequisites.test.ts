/**
 * Integration: scripts/test-prerequisites.ts, the first step of `bun run test`, run as a real process.
 * Where it may not install, it must stop within seconds with one line per missing prerequisite and exit 1;
 * as root it asks apt-get (here a stand-in that records its calls) once, and only when something is missing.
 */
import { afterAll, expect, test } from 'bun:test';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NO_INSTALL_ENV } from '../../scripts/test-prerequisites.ts';
import { freePort } from '../helpers/services.ts';

const script = resolve(import.meta.dir, '..', '..', 'scripts', 'test-prerequisites.ts');
const isRoot = process.getuid?.() === 0;
const setpriv = Bun.which('setpriv');
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** An empty folder that `nobody` can read, for a PATH that lacks every tool. */
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'belfry-prereqs-'));
  chmodSync(dir, 0o755);
  dirs.push(dir);
  return dir;
}

interface Run {
  code: number;
  lines: string[];
  stdout: string;
  ms: number;
}

async function run(env: Record<string, string>, prefix: string[] = []): Promise<Run> {
  const started = performance.now();
  const child = Bun.spawn([...prefix, process.execPath, script], {
    env: { HOME: tmpdir(), ...env },
    // An open stdin that never receives anything: whatever waits for an answer on it would hang the run.
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: 20_000,
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, lines: stderr.split('\n').filter(Boolean), stdout, ms: performance.now() - started };
}

/** Services that refuse connections at once, so that the service checks fail too. */
async function deadServices(): Promise<Record<string, string>> {
  return {
    DATABASE_URL: `postgres://belfry:not-printed@127.0.0.1:${await freePort()}/postgres`,
    REDIS_URL: `redis://:not-printed@127.0.0.1:${await freePort()}`,
  };
}

function expectOneLineEach(lines: string[], installWith: string) {
  expect(lines).toHaveLength(7);
  expect(lines[0]).toMatch(new RegExp(`^chromium: needed by the browser tests in tests/e2e .*; install with: ${installWith}chromium, then unset CHROMIUM_PATH$`));
  expect(lines[1]).toMatch(new RegExp(`^redis-server: needed by the tests that stop Redis .*; install with: ${installWith}redis-server$`));
  expect(lines[2]).toMatch(new RegExp(`^node: needed by the bench smoke test.*; install with: ${installWith}nodejs$`));
  expect(lines[3]).toMatch(new RegExp(`^haproxy: needed by the deployment tests in tests/deploy .*; install with: ${installWith}haproxy$`));
  expect(lines[4]).toMatch(new RegExp(`^pgbouncer: needed by the deployment tests in tests/deploy .*; install with: ${installWith}pgbouncer$`));
  expect(lines[5]).toMatch(/^postgres: needed by every test that stores notifications; DATABASE_URL \(127\.0\.0\.1:\d+\) does not answer; /);
  expect(lines[6]).toMatch(/^redis: needed by every test that delivers notifications; REDIS_URL \(127\.0\.0\.1:\d+\) does not answer; /);
  expect(lines.join('\n')).not.toContain('not-printed');
}

test('with installing turned off, each missing prerequisite gets one line and the exit code is 1, within seconds', async () => {
  const bin = folder();
  // What `bun run` puts on PATH when Node is missing: Bun under the name `node`. It must not pass for Node.
  symlinkSync(process.execPath, join(bin, 'node'));
  const result = await run({
    PATH: bin,
    CHROMIUM_PATH: join(bin, 'chromium'),
    [NO_INSTALL_ENV]: '1',
    ...(await deadServices()),
  });
  expectOneLineEach(result.lines, isRoot ? 'apt-get install -y ' : 'sudo apt-get install -y ');
  expect(result.code).toBe(1);
  expect(result.ms).toBeLessThan(5_000);
});

test.if(isRoot && setpriv !== null && existsSync('/usr/bin/apt-get'))(
  'as a normal user with apt-get on PATH, it installs nothing and says how to, with sudo',
  async () => {
    const bin = folder();
    // apt-get is reachable: only the user id may keep the script from calling it (as nobody it would fail loudly).
    symlinkSync('/usr/bin/apt-get', join(bin, 'apt-get'));
    const result = await run(
      { PATH: bin, CHROMIUM_PATH: join(bin, 'chromium'), ...(await deadServices()) },
      [setpriv!, '--reuid=65534', '--regid=65534', '--clear-groups'],
    );
    expectOneLineEach(result.lines, 'sudo apt-get install -y ');
    expect(result.stdout).toBe('');
    expect(result.code).toBe(1);
    expect(result.ms).toBeLessThan(5_000);
  },
);

test.if(isRoot)('as root it runs apt-get update once and one install of what is missing, with stdin closed', async () => {
  const bin = folder();
  const log = join(bin, 'apt.log');
  // Records each call; the install makes the missing programs appear, as the real packages would.
  writeFileSync(
    join(bin, 'apt-get'),
    [
      '#!/bin/sh',
      `echo "$DEBIAN_FRONTEND $*" >> ${log}`,
      `[ "$(/usr/bin/readlink /proc/$$/fd/0)" = /dev/null ] || echo "stdin is open" >> ${log}`,
      `case "$*" in *install*) for p in redis-server node haproxy pgbouncer; do printf '#!/bin/sh\\n' > ${bin}/$p; /bin/chmod +x ${bin}/$p; done;; esac`,
      'exit 0',
    ].join('\n'),
  );
  chmodSync(join(bin, 'apt-get'), 0o755);
  const chromium = join(bin, 'chromium-present');
  writeFileSync(chromium, '#!/bin/sh\n');
  chmodSync(chromium, 0o755);
  const services = { DATABASE_URL: process.env.BELFRY_TEST_DATABASE_URL ?? '', REDIS_URL: process.env.BELFRY_TEST_REDIS_URL ?? '' };

  const first = await run({ PATH: bin, CHROMIUM_PATH: chromium, ...services });
  expect(first.lines).toEqual([]);
  expect(first.code).toBe(0);
  const calls = readFileSync(log, 'utf8').trim().split('\n');
  expect(calls).toHaveLength(2);
  expect(calls[0]).toMatch(/^noninteractive -y .*update$/);
  expect(calls[1]).toMatch(/^noninteractive -y .*install redis-server nodejs haproxy pgbouncer$/);

  // Everything present now: apt-get is not called again.
  const second = await run({ PATH: bin, CHROMIUM_PATH: chromium, ...services });
  expect(second.code).toBe(0);
  expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(2);
});

test('on this machine, where `bun run test` has just checked everything, it passes in well under a second or two', async () => {
  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  const result = await run({ ...env, [NO_INSTALL_ENV]: '1' });
  expect(result.lines).toEqual([]);
  expect(result.code).toBe(0);
  expect(result.ms).toBeLessThan(2_000);
});
