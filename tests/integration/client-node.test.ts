/**
 * The built client under Node 20: `bun run build:client`, then a plain .mjs importing `belfry/client` through the
 * package exports sends to a real belfry. Postgres must hold the rows and the user's socket must get each one once.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { connect, quietFor } from '../helpers/ws-client.ts';

const root = resolve(import.meta.dir, '..', '..');
const node = Bun.which('node') ?? '/usr/bin/node';

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry()));
afterAll(() => belfry.stop());

/** Runs a command to completion, killing it at the deadline; resolves with its exit code and output. */
async function run(cmd: string[], { timeoutMs, env = {} }: { timeoutMs: number; env?: Record<string, string> }) {
  const child = Bun.spawn(cmd, { cwd: root, env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' });
  const deadline = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  clearTimeout(deadline);
  return { code, stdout, stderr };
}

test('built for Node: one event, 2,500 with keys twice (same ids), typed 401 and 400, a token belfry accepts', async () => {
  const build = await run([process.execPath, 'run', 'build:client'], { timeoutMs: 60_000 });
  expect({ code: build.code, output: build.code === 0 ? '' : build.stderr + build.stdout }).toEqual({ code: 0, output: '' });
  for (const file of ['index.js', 'index.d.ts', 'token.js', 'token.d.ts']) expect(existsSync(resolve(root, 'dist/client', file))).toBe(true);
  // The sending bundle carries nothing of the server: no zod, hono, postgres, ioredis, and no jose either.
  const bundle = await Bun.file(resolve(root, 'dist/client/index.js')).text();
  expect(bundle).not.toMatch(/\bfrom\s*["']|\bimport\s*\(|require\(/);
  expect(bundle).not.toMatch(/zod|hono|ioredis|SignJWT/);

  const user = `node-${crypto.randomUUID()}`;
  const socket = await connect(belfry.wsUrl, await belfry.tokenFor(user));
  const script = await run([node, resolve(root, 'tests/fixtures/client-node.mjs')], {
    timeoutMs: 60_000,
    env: { BELFRY_URL: belfry.url, BELFRY_INGEST_KEY: belfry.ingestKey, BELFRY_JWT_SECRET: belfry.jwtSecret, BELFRY_USER: user },
  });
  expect(script.stderr).toBe('');
  expect(script.code).toBe(0);
  const result = JSON.parse(script.stdout);

  expect(result.runtime.bun).toBe(false);
  expect(result.runtime.node).toMatch(/^v\d+\./);
  expect(result.single).toHaveLength(1);
  expect(result.first).toHaveLength(2500);
  expect(result.again).toEqual(result.first);
  expect(result.badKey).toEqual({ class: 'BelfryError', isBelfryError: true, isBatchError: false, status: 401, code: 'unauthorized' });
  expect(result.invalid).toMatchObject({ class: 'BelfryError', isBelfryError: true, status: 400, code: 'validation_failed' });
  expect(result.invalid.details.map((detail: { path: string }) => detail.path)).toEqual(['message']);

  const ids: string[] = [...result.single, ...result.first];
  const rows = await belfry.sql<{ id: string; message: string }[]>`select id, message from notifications where user_id = ${user} order by id`;
  expect(rows).toHaveLength(2501);
  const messageById = new Map(rows.map((row) => [row.id, row.message]));
  expect(messageById.get(result.single[0])).toBe('one from node');
  result.first.forEach((id: string, index: number) => expect(messageById.get(id)).toBe(`node ${index}`));

  // Each committed notification reaches the socket once; the repeated batch created and pushed nothing.
  const deadline = Date.now() + 10_000;
  while (socket.all('NOTIFICATION').length < ids.length && Date.now() < deadline) await Bun.sleep(20);
  await quietFor(socket, 300);
  const pushed = socket.all('NOTIFICATION').map((frame) => frame.payload.id as string);
  expect(pushed.sort()).toEqual([...ids].sort());
  socket.close();

  const unread = await fetch(`${belfry.url}/api/notifications/unread-count`, { headers: { authorization: `Bearer ${result.token}` } });
  expect(await unread.json()).toEqual({ count: 2501, unseen: 2501 });
}, 120_000);
