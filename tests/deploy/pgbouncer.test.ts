/**
 * belfry through pgbouncer 1.18 in transaction mode, started from deploy/pgbouncer.ini: migrations on an empty
 * database, ingest, list, read and WebSocket delivery by a real belfry process with DATABASE_PREPARE=false; and the
 * two things the docs warn about, checked for real: the statement timeout as a startup parameter, and named
 * prepared statements.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import postgres from 'postgres';
import { signToken } from '../../src/auth/tokens.ts';
import { createSql } from '../../src/db/client.ts';
import { loadConfig } from '../../src/config.ts';
import { testServices } from '../helpers/services.ts';
import { spawnBelfry, type BelfryProcess } from '../helpers/process.ts';
import { startPgbouncer, type Pgbouncer } from '../helpers/pgbouncer.ts';
import { call } from '../helpers/http.ts';
import { connect } from '../helpers/ws-client.ts';

const admin = postgres(testServices().databaseUrl, { max: 1, onnotice: () => {} });
const name = `belfry_pool_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
const cleanups: (() => Promise<unknown>)[] = [];
let pool: Pgbouncer;

beforeAll(async () => {
  // Empty, not migrated: belfry applies its migrations through the pool at start.
  await admin.unsafe(`create database ${name}`);
  // Behind pgbouncer the statement timeout cannot travel as a startup parameter; the database (or role) carries it.
  await admin.unsafe(`alter database ${name} set statement_timeout = '10s'`);
  pool = await startPgbouncer(testServices().databaseUrl);
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await pool?.stop();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end({ timeout: 2 });
});

const statementTimeoutMs = loadConfig({}).database.statementTimeoutMs;

describe('pgbouncer in transaction mode', () => {
  test('refuses the statement timeout as a startup parameter unless the ini ignores it', async () => {
    const strict = await startPgbouncer(testServices().databaseUrl, { edit: (ini) => ini.replace(/^ignore_startup_parameters.*$/m, '') });
    cleanups.push(() => strict.stop());
    const sql = createSql(strict.url(name), { max: 1, statementTimeoutMs, prepare: false });
    cleanups.push(() => sql.end({ timeout: 1 }));
    await expect(sql`select 1`).rejects.toThrow('unsupported startup parameter: statement_timeout');
  });

  test('passes belfry\'s connection through, with the timeout of the database and named statements off', async () => {
    const sql = createSql(pool.url(name), { max: 1, statementTimeoutMs, prepare: false });
    cleanups.push(() => sql.end({ timeout: 1 }));
    const [row] = await sql<[{ statement_timeout: string }]>`show statement_timeout`;
    expect(row.statement_timeout).toBe('10s');
  });

  test('named prepared statements fail or hang once clients share server connections; DATABASE_PREPARE=false does not', async () => {
    // Three clients, two server connections: a statement prepared on one server connection is later used on the
    // other, which never saw it. postgres.js then errors or waits for an answer that does not come.
    const narrow = await startPgbouncer(testServices().databaseUrl, { edit: (ini) => ini.replace(/^default_pool_size.*$/m, 'default_pool_size = 2') });
    cleanups.push(() => narrow.stop());
    const broken = async (prepare: boolean) => {
      const clients = [0, 1, 2].map(() => createSql(narrow.url(name), { max: 1, statementTimeoutMs: 0, prepare }));
      try {
        for (let round = 0; round < 10; round++) {
          const deadline = Bun.sleep(1000).then(() => 'no answer within 1 s');
          const answers = await Promise.all(
            Array.from({ length: 30 }, (_, i) =>
              Promise.race([clients[i % 3]!<[{ n: number }]>`select ${i}::int as n`.then(([row]) => (row.n === i ? 'ok' : 'wrong row'), (error: Error) => error.message), deadline]),
            ),
          );
          const failed = answers.filter((answer) => answer !== 'ok');
          if (failed.length) return failed[0];
        }
        return undefined;
      } finally {
        await Promise.all(clients.map((client) => client.end({ timeout: 0.2 })));
      }
    };
    const failure = await broken(true);
    console.log(`prepared statements through transaction mode: ${failure}`);
    expect(failure).toMatch(/no answer within 1 s|prepared statement/);
    expect(await broken(false)).toBeUndefined();
  }, 30_000);
});

describe('belfry through the pool', () => {
  let belfry: BelfryProcess;
  const jwtSecret = `pool-secret-${crypto.randomUUID()}`;
  const ingestKey = `pool-ingest-${crypto.randomUUID()}`;

  beforeAll(async () => {
    belfry = await spawnBelfry({
      DATABASE_URL: pool.url(name),
      DATABASE_PREPARE: 'false',
      REDIS_URL: testServices().redisUrl,
      REDIS_PREFIX: `belfry-test:${crypto.randomUUID()}:`,
      JWT_SECRET: jwtSecret,
      INGEST_API_KEY: ingestKey,
    });
    cleanups.push(() => belfry.stop());
  });

  test('migrates an empty database, then ingests, lists, reads and delivers over WebSockets', async () => {
    // The database was empty; only belfry's start, through the pool, can have created these.
    const direct = new URL(testServices().databaseUrl);
    direct.pathname = `/${name}`;
    const check = postgres(direct.toString(), { max: 1, onnotice: () => {} });
    cleanups.push(() => check.end({ timeout: 1 }));
    const [{ applied }] = await check<[{ applied: number }]>`select count(*)::int as applied from belfry_migrations`;
    expect(applied).toBeGreaterThan(0);
    const token = await signToken(jwtSecret, 'pooled');
    const socket = await connect(belfry.url.replace('http', 'ws') + '/ws', token);

    // Concurrent single events (committed together by group commit) and a batch, with an idempotency key repeated.
    const singles = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call(belfry.url, '/api/events', { token: ingestKey, body: { user_id: 'pooled', type: 'pool', message: `single ${i}` } })),
    );
    expect(singles.map((response) => response.status)).toEqual(Array(20).fill(201));
    const batchBody = Array.from({ length: 5 }, (_, i) => ({ user_id: 'pooled', type: 'pool', message: `batch ${i}`, idempotency_key: `pool-${i}` }));
    const batch = await call(belfry.url, '/api/events', { token: ingestKey, body: { events: batchBody } });
    expect(batch.status).toBe(201);
    const again = await call(belfry.url, '/api/events', { token: ingestKey, body: { events: batchBody } });
    const batchIds = ((await batch.json()) as { ids: string[] }).ids;
    expect(((await again.json()) as { ids: string[] }).ids).toEqual(batchIds);
    const ids = [...(await Promise.all(singles.map(async (response) => ((await response.json()) as { ids: string[] }).ids[0]!))), ...batchIds];

    const delivered = new Set<string>();
    while (delivered.size < ids.length) delivered.add((await socket.next((frame) => frame.type === 'NOTIFICATION', 5000)).payload.id);
    expect([...delivered].sort()).toEqual([...ids].sort());

    const list = await call(belfry.url, '/api/notifications?limit=100', { token });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { id: string }[]).map((item) => item.id).sort()).toEqual([...ids].sort());

    expect((await call(belfry.url, '/api/notifications/read', { token, body: { id: ids[0] } })).status).toBe(204);
    expect((await socket.next((frame) => frame.type === 'READ')).payload.ids).toEqual([ids[0]]);
    expect(await (await call(belfry.url, '/api/notifications/unread-count', { token })).json()).toMatchObject({ count: ids.length - 1 });
    expect((await call(belfry.url, '/api/notifications/read-all', { token, method: 'POST' })).status).toBe(204);
    expect(await (await call(belfry.url, '/api/notifications/unread-count', { token })).json()).toMatchObject({ count: 0 });
    socket.close();

    expect(belfry.output()).not.toMatch(/prepared statement|unsupported startup parameter/);
  }, 30_000);
});
