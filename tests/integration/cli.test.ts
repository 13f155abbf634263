/**
 * Integration: the CLI against a real belfry on real Postgres and Redis: `token` mints what the server accepts
 * (audience included), `send` delivers through the REST API (one event and a batch file), `migrate` migrates an
 * empty database and then finds it up to date.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { createSharedEnv, runBelfry, spawnBelfry, type BelfryProcess, type SharedEnv } from '../helpers/process.ts';
import { testServices } from '../helpers/services.ts';
import { connect } from '../helpers/ws-client.ts';
import { call } from '../helpers/http.ts';

let shared: SharedEnv;
let server: BelfryProcess;
const audience = 'belfry-cli-test';
const dir = mkdtempSync(join(tmpdir(), 'belfry-cli-'));

beforeAll(async () => {
  shared = await createSharedEnv({ JWT_AUDIENCE: audience, JWT_MAX_TTL: '2h' });
  server = await spawnBelfry(shared.env);
});
afterAll(async () => {
  await server.stop();
  await shared.database.drop();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], extra: Record<string, string> = {}) => runBelfry(args, { ...shared.env, PORT: String(server.port), ...extra });

test('token: the server accepts it, with the configured audience; a longer TTL than JWT_MAX_TTL is refused', async () => {
  const minted = await cli(['token', '--user', 'ada', '--ttl', '30m']);
  expect(minted.stderr).toBe('');
  expect(minted.code).toBe(0);
  const token = minted.stdout.trim();
  expect(token.split('.')).toHaveLength(3);
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string; aud: string; exp: number; iat: number };
  expect(claims).toMatchObject({ sub: 'ada', aud: audience });
  expect(claims.exp - claims.iat).toBe(1800);
  expect((await call(server.url, '/api/notifications', { token })).status).toBe(200);

  const tooLong = await cli(['token', '--user', 'ada', '--ttl', '3h']);
  expect(tooLong.code).toBe(2);
  expect(tooLong.stderr.trim()).toBe('belfry token: --ttl 3h is longer than JWT_MAX_TTL (7200 s): the server would refuse the token');
});

test('send: one event reaches the user\'s socket; a batch file is sent in order', async () => {
  const token = (await cli(['token', '--user', 'grace'])).stdout.trim();
  const socket = await connect(server.wsUrl, token);
  try {
    const sent = await cli(['send', '--user', 'grace', '--type', 'comment', 'Ada replied to you']);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const [id] = sent.stdout.trim().split('\n');
    const frame = await socket.next((f) => f.type === 'NOTIFICATION');
    expect(frame.payload).toMatchObject({ id, type: 'comment', message: 'Ada replied to you' });

    const file = join(dir, 'events.json');
    writeFileSync(file, JSON.stringify([1, 2, 3].map((n) => ({ user_id: 'grace', type: 'digest', message: `item ${n}` }))));
    const batch = await cli(['send', '--file', file]);
    expect(batch.code).toBe(0);
    const ids = batch.stdout.trim().split('\n');
    expect(ids).toHaveLength(3);
    for (const n of [1, 2, 3]) expect((await socket.next((f) => f.type === 'NOTIFICATION')).payload.message).toBe(`item ${n}`);
  } finally {
    socket.close();
  }
});

test('send: the server\'s refusals and an unreachable server are one line, exit 1', async () => {
  const invalid = await cli(['send', '--user', 'grace', '--type', 'comment', '']);
  expect(invalid.code).toBe(1);
  expect(invalid.stderr.trim()).toMatch(/^belfry refused the events \(400 validation_failed\): message: /);

  const wrongKey = await cli(['send', '--user', 'grace', '--type', 't', 'hi'], { INGEST_API_KEY: 'not-the-key-at-all-123456' });
  expect(wrongKey.code).toBe(1);
  expect(wrongKey.stderr.trim()).toBe(`belfry at http://127.0.0.1:${server.port} refused the ingest key: set INGEST_API_KEY to the server's`);

  const nobody = await cli(['send', '--user', 'grace', '--type', 't', 'hi', '--url', 'http://127.0.0.1:1']);
  expect(nobody.code).toBe(1);
  expect(nobody.stderr.trim()).toBe('cannot reach belfry at http://127.0.0.1:1: start it (belfry start) or pass --url');
});

test('migrate: an empty database gets every migration; the second run has nothing to do', async () => {
  const admin = postgres(testServices().databaseUrl, { max: 1, onnotice: () => {} });
  const name = `belfry_cli_migrate_${Date.now().toString(36)}`;
  await admin.unsafe(`create database ${name}`);
  const url = new URL(testServices().databaseUrl);
  url.pathname = `/${name}`;
  try {
    const first = await runBelfry(['migrate'], { DATABASE_URL: url.toString() });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('applied 00001_notifications.sql');
    const second = await runBelfry(['migrate'], { DATABASE_URL: url.toString() });
    expect(second.stdout.trim()).toBe('the database is up to date');
    const db = postgres(url.toString(), { max: 1 });
    const [row] = await db<[{ count: number }]>`select count(*)::int as count from belfry_migrations`;
    await db.end();
    expect(row.count).toBeGreaterThanOrEqual(3);
  } finally {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
});
