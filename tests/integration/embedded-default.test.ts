/**
 * Integration: the start command with nothing configured: embedded Postgres, in-process bus, generated secrets,
 * demo mode; data survives a restart; production mode refuses to start without secrets.
 */
import { afterAll, expect, test } from 'bun:test';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../helpers/services.ts';
import { spawnBelfry } from '../helpers/process.ts';
import { connect } from '../helpers/ws-client.ts';
import { call } from '../helpers/http.ts';

const dir = mkdtempSync(join(tmpdir(), 'belfry-embedded-'));
// Run as root, Postgres runs as the `postgres` user, which must be able to enter the folder.
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('one command: demo session, a test notification pushed live, data kept across a restart', async () => {
  const env = { EMBEDDED_PG_DIR: join(dir, 'pg'), EMBEDDED_PG_PORT: String(await freePort()), LOG_LEVEL: 'info' };
  let belfry = await spawnBelfry(env, { timeoutMs: 60_000 });
  try {
    expect(belfry.output()).toContain('in-process bus');
    expect(belfry.output()).toContain(`belfry demo is ready: http://localhost:${belfry.port}/`);
    expect(belfry.output()).toMatch(/curl -X POST .*\/api\/events -H 'authorization: Bearer [\w-]+'/);

    const session = (await (await fetch(`${belfry.url}/api/demo/session`)).json()) as { user_id: string; token: string };
    expect(session.user_id).toBe('demo');
    const socket = await connect(belfry.wsUrl, session.token);
    const sent = await call(belfry.url, '/api/demo/notifications', { token: session.token, body: { message: 'hello from the demo' } });
    expect(sent.status).toBe(201);
    const frame = await socket.next((f) => f.type === 'NOTIFICATION');
    expect(frame.payload).toMatchObject({ type: 'demo', message: 'hello from the demo' });
    socket.close();

    expect(await belfry.stop()).toBe(0);
    belfry = await spawnBelfry(env, { timeoutMs: 60_000 });
    const listed = (await (await call(belfry.url, '/api/notifications', { token: session.token })).json()) as { message: string }[];
    expect(listed.map((item) => item.message)).toContain('hello from the demo');
  } finally {
    expect(await belfry.stop()).toBe(0);
  }
}, 120_000);

test('demo routes do not exist when secrets are configured', async () => {
  const { createTestDatabase } = await import('../helpers/services.ts');
  const database = await createTestDatabase();
  const belfry = await spawnBelfry({ DATABASE_URL: database.url, JWT_SECRET: 's'.repeat(40), INGEST_API_KEY: 'k'.repeat(30) });
  try {
    expect((await fetch(`${belfry.url}/api/demo/session`)).status).toBe(404);
  } finally {
    await belfry.stop();
    await database.drop();
  }
});

test('NODE_ENV=production without secrets exits with a message naming them', async () => {
  const child = Bun.spawn([process.execPath, resolve(import.meta.dir, '..', '..', 'src', 'main.ts')], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  expect(await child.exited).toBe(2);
  const stderr = await new Response(child.stderr as ReadableStream).text();
  expect(stderr).toContain('JWT_SECRET: is required when NODE_ENV=production');
  expect(stderr).toContain('INGEST_API_KEY');
  expect(stderr).toContain('DATABASE_URL');
});
