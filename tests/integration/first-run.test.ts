/**
 * Integration: the first run from a fresh clone, where the reviewer's runs failed: a clone with no web/dist (the
 * panel is built and served, and rebuilt when web/src changes), a clone in a private (0700) folder started as root
 * (Postgres runs as `postgres` from folders it can enter), and two checkouts at once while port 54329 is taken.
 */
import { afterAll, expect, test } from 'bun:test';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemDataDir } from '../../src/db/embedded.ts';
import { makeClone } from '../helpers/clone.ts';
import { spawnBelfry } from '../helpers/process.ts';
import { call } from '../helpers/http.ts';
import { connect } from '../helpers/ws-client.ts';

const isRoot = process.getuid?.() === 0;
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

/** A folder like `mktemp -d` makes: private to its owner. */
function privateFolder(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o700);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Logs as JSON lines; picks the ones with `msg`. */
const logged = (output: string, msg: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === msg);

/** A demo session, one notification through the demo form, read back from the list. */
async function roundTrip(url: string, wsUrl: string, message: string) {
  const session = (await (await fetch(`${url}/api/demo/session`)).json()) as { token: string };
  const socket = await connect(wsUrl, session.token);
  try {
    expect((await call(url, '/api/demo/notifications', { token: session.token, body: { message } })).status).toBe(201);
    expect((await socket.next((frame) => frame.type === 'NOTIFICATION')).payload.message).toBe(message);
  } finally {
    socket.close();
  }
}

test('a fresh clone in a private folder: the panel is built and served, the database starts (as root: as postgres, from folders it can enter)', async () => {
  const clone = makeClone(privateFolder('belfry-clone-'));
  const program = [process.execPath, join(clone, 'src', 'main.ts')];
  const dataDir = join(clone, '.belfry', 'postgres');
  cleanups.push(() => rmSync(join(systemDataDir(dataDir), '..'), { recursive: true, force: true }));
  expect(existsSync(join(clone, 'web', 'dist'))).toBe(false);

  let belfry = await spawnBelfry({ LOG_LEVEL: 'info' }, { program, timeoutMs: 60_000 });
  try {
    expect(logged(belfry.output(), 'building the panel (web/dist)')[0]).toMatchObject({ reason: 'web/dist is missing' });
    const page = await fetch(`${belfry.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<!doctype html>');
    expect((await fetch(`${belfry.url}/belfry-bell.js`)).status).toBe(200);
    const [ready] = logged(belfry.output(), 'embedded Postgres ready');
    if (isRoot) {
      // The clone's folders are private to root: data and programs live where the postgres user can reach them.
      expect(logged(belfry.output(), 'starting the embedded Postgres (DATABASE_URL is unset)')[0]).toMatchObject({ dir: systemDataDir(dataDir) });
      expect(String(ready?.programs)).toStartWith('/var/cache/belfry/postgres-');
      expect(statSync(clone).mode & 0o777).toBe(0o755); // the clone itself was never opened up (it is 755 as copied)
      expect(statSync(join(clone, '..')).mode & 0o777).toBe(0o700);
    } else {
      expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    }
    await roundTrip(belfry.url, belfry.wsUrl, 'from a fresh clone');
    expect(await belfry.stop()).toBe(0);

    // A change under web/src makes web/dist stale: the next start builds it again; the data is still there.
    const source = join(clone, 'web', 'src', 'api.ts');
    const later = new Date(Date.now() + 5_000);
    utimesSync(source, later, later);
    belfry = await spawnBelfry({ LOG_LEVEL: 'info' }, { program, timeoutMs: 60_000 });
    expect(logged(belfry.output(), 'building the panel (web/dist)')[0]).toMatchObject({ reason: 'web/src changed since web/dist was built' });
    const session = (await (await fetch(`${belfry.url}/api/demo/session`)).json()) as { token: string };
    const listed = (await (await call(belfry.url, '/api/notifications', { token: session.token })).json()) as { message: string }[];
    expect(listed.map((item) => item.message)).toContain('from a fresh clone');
  } finally {
    await belfry.stop();
  }
}, 90_000);

test('two checkouts at once, with port 54329 taken: each runs its own Postgres on its own socket', async () => {
  let blocker: { stop(closeActive?: boolean): void } | undefined;
  try {
    blocker = Bun.listen({ hostname: '127.0.0.1', port: 54329, socket: { data() {} } });
  } catch {
    // Already taken by something else: just as good.
  }
  const parent = privateFolder('belfry-two-');
  chmodSync(parent, 0o755);
  const [first, second] = await Promise.all(
    ['one', 'two'].map((name) => spawnBelfry({ BELFRY_HOME: join(parent, name), LOG_LEVEL: 'info' }, { timeoutMs: 60_000 })),
  );
  try {
    for (const belfry of [first!, second!]) {
      expect(belfry.output()).toContain('"socket":"in the data folder"');
      await roundTrip(belfry.url, belfry.wsUrl, `hello ${belfry.port}`);
    }
  } finally {
    expect(await first!.stop()).toBe(0);
    expect(await second!.stop()).toBe(0);
    blocker?.stop(true);
  }
}, 90_000);
