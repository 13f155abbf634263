/**
 * Integration: the single executable. `bun run build` makes dist/belfry (reused when newer than every source);
 * a copy in an empty folder, with no Bun and no node_modules on PATH, delivers a notification to a socket in both
 * modes: the embedded default (its Postgres unpacked from inside it) and production (DATABASE_URL and REDIS_URL).
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { systemDataDir } from '../../src/db/embedded.ts';
import { createSharedEnv, runBelfry, spawnBelfry, type SharedEnv } from '../helpers/process.ts';
import { connect } from '../helpers/ws-client.ts';

const root = resolve(import.meta.dir, '..', '..');
const built = join(root, 'dist', 'belfry');
const isRoot = process.getuid?.() === 0;
const scratch = mkdtempSync(join(tmpdir(), 'belfry-exe-'));
let shared: SharedEnv | undefined;

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** PATH for the executable: only the system tools it may call (`id`, and `useradd` as root), no Bun. */
function toolsOnly(): string {
  const tools = join(scratch, 'tools');
  mkdirSync(tools, { recursive: true });
  for (const tool of ['id', 'useradd']) {
    const found = ['/usr/bin', '/usr/sbin', '/bin', '/sbin'].map((dir) => join(dir, tool)).find(existsSync);
    if (found && !existsSync(join(tools, tool))) symlinkSync(found, join(tools, tool));
  }
  return tools;
}

/** An empty private folder holding only a copy of the executable. */
function emptyFolderWithExecutable(name: string) {
  const dir = join(scratch, name);
  mkdirSync(dir, { mode: 0o700 });
  copyFileSync(built, join(dir, 'belfry'));
  chmodSync(join(dir, 'belfry'), 0o755);
  return { dir, program: [join(dir, 'belfry')] };
}

beforeAll(async () => {
  const sources = Math.max(...['src', 'sql', 'web/src', 'web/index.html', 'package.json', 'bun.lock', 'scripts/build.ts'].map((path) => newest(join(root, path))));
  if (!existsSync(built) || statSync(built).mtimeMs < sources) {
    const build = Bun.spawn([process.execPath, join(root, 'scripts', 'build.ts')], { cwd: root, stdout: 'pipe', stderr: 'pipe' });
    const [code, stderr] = await Promise.all([build.exited, new Response(build.stderr).text()]);
    if (code !== 0) throw new Error(`bun run build failed: ${stderr}`);
  }
}, 60_000);
afterAll(async () => {
  await shared?.database.drop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Mints a token and sends one notification with the executable's own CLI, and sees it arrive on a socket. */
async function deliverOne(program: string[], cwd: string, env: Record<string, string>, server: { port: number; wsUrl: string }) {
  const cli = { program, cwd };
  const minted = await runBelfry(['token', '--user', 'exe-user'], env, cli);
  expect(minted.stderr).toBe('');
  const socket = await connect(server.wsUrl, minted.stdout.trim());
  try {
    const sent = await runBelfry(['send', '--user', 'exe-user', '--type', 'test', 'from the single executable'], env, cli);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const frame = await socket.next((f) => f.type === 'NOTIFICATION');
    expect(frame.payload).toMatchObject({ id: sent.stdout.trim(), message: 'from the single executable' });
  } finally {
    socket.close();
  }
}

test('the embedded default from an empty folder: Postgres unpacked from the executable, panel served from it', async () => {
  const { dir, program } = emptyFolderWithExecutable('embedded');
  if (isRoot) afterAll(() => rmSync(join(systemDataDir(join(dir, '.belfry', 'postgres')), '..'), { recursive: true, force: true }));
  // XDG_CACHE_HOME inside the scratch folder: a first run that unpacks (except as root, who uses /var/cache/belfry).
  const env = { PATH: toolsOnly(), HOME: dir, XDG_CACHE_HOME: join(scratch, 'cache'), LOG_LEVEL: 'info' };
  const started = performance.now();
  const belfry = await spawnBelfry(env, { program, cwd: dir, timeoutMs: 60_000 });
  const readyMs = Math.round(performance.now() - started);
  try {
    expect(belfry.output()).toContain(`belfry demo is ready: http://localhost:${belfry.port}/`);
    if (!isRoot) expect(readdirSync(join(scratch, 'cache', 'belfry'))).toEqual([expect.stringMatching(/^postgres-/)]);
    const page = await fetch(`${belfry.url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<!doctype html>');
    const script = await fetch(`${belfry.url}/belfry-bell.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    await deliverOne(program, dir, { PATH: env.PATH, HOME: dir, PORT: String(belfry.port) }, belfry);
    // Nothing but the data folder appeared beside it.
    expect(readdirSync(dir).sort()).toEqual(['.belfry', 'belfry']);
    console.log(`executable, embedded default, first start: ready in ${readyMs} ms`);
  } finally {
    expect(await belfry.stop()).toBe(0);
  }
}, 60_000);

test('production mode from an empty folder: DATABASE_URL, REDIS_URL and secrets', async () => {
  const { dir, program } = emptyFolderWithExecutable('production');
  shared = await createSharedEnv({ NODE_ENV: 'production', ADMIN_API_KEY: `admin-${crypto.randomUUID()}` });
  const env = { ...shared.env, PATH: toolsOnly(), HOME: dir };
  const started = performance.now();
  const belfry = await spawnBelfry(env, { program, cwd: dir });
  const readyMs = Math.round(performance.now() - started);
  try {
    expect((await fetch(`${belfry.url}/api/demo/session`)).status).toBe(404);
    expect((await fetch(`${belfry.url}/belfry-bell.js`)).status).toBe(200);
    await deliverOne(program, dir, { ...env, PORT: String(belfry.port) }, belfry);
    expect(readdirSync(dir)).toEqual(['belfry']);
    console.log(`executable, production mode: ready in ${readyMs} ms`);
  } finally {
    expect(await belfry.stop()).toBe(0);
  }
}, 60_000);
