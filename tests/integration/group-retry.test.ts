/**
 * Integration: a group insert must never be retried request by request once it may have committed. Two ways to
 * get there: the idempotency key of one row is committed by another transaction while the group's statement runs
 * and is gone again before it can be looked up; and the connection drops while the commit's answer is on its way.
 * Either way the keyless rows of the group must be stored once.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import postgres from 'postgres';
import { createSql, type Sql } from '../../src/db/client.ts';
import { createIngestor } from '../../src/ingest/ingestor.ts';
import { createLocalBus } from '../../src/bus/local.ts';
import { createLogger } from '../../src/log.ts';
import { AppError } from '../../src/errors.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/services.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

let database: TestDatabase;
let other: Sql;
let proxy: TcpProxy;
let proxied: Sql;
beforeAll(async () => {
  database = await createTestDatabase();
  other = postgres(database.url, { max: 4, onnotice: () => {} });
  const url = new URL(database.url);
  proxy = startTcpProxy(`${url.hostname}:${url.port || 5432}`);
  url.host = proxy.address;
  proxied = createSql(url.toString(), { max: 4, connectTimeout: 2, statementTimeoutMs: 10_000 });
});
afterAll(async () => {
  proxy.pass();
  await proxied.end({ timeout: 1 });
  await other.end({ timeout: 1 });
  proxy.stop();
  await database.drop();
});

const log = createLogger('silent');
const messagesOf = async (user: string) =>
  (await database.sql<{ message: string }[]>`select message from notifications where user_id = ${user} order by message`).map((row) => row.message);

test('a key committed and erased while the group runs: keyless rows of the group are stored once', async () => {
  const ingestor = createIngestor({ sql: database.sql, bus: createLocalBus(), log });
  let letGo!: () => void;
  const gate = new Promise<void>((resolve) => (letGo = resolve));
  // Another transaction holds the key, uncommitted: the group's insert waits for it.
  const holder = other.begin(async (tx) => {
    await tx`insert into notifications (user_id, type, message, idempotency_key) values ('r13', 't', 'from elsewhere', 'K')`;
    await gate;
  });
  await Bun.sleep(100);
  const group = Promise.allSettled([
    ingestor.ingest([{ user_id: 'r13', type: 't', message: 'keyless A' }]),
    ingestor.ingest([{ user_id: 'r13', type: 't', message: 'keyless B' }]),
    ingestor.ingest([{ user_id: 'r13', type: 't', message: 'keyed', idempotency_key: 'K' }]),
  ]);
  await Bun.sleep(200);
  // Queued behind the group's insert: an erasure of the key's row that runs before anything else can read it.
  const eraser = other.begin(async (tx) => {
    await tx`lock table notifications in access exclusive mode`;
    await tx`delete from notifications where user_id = 'r13' and idempotency_key = 'K'`;
  });
  await Bun.sleep(200);
  letGo();
  await holder;
  await eraser;
  const results = await group;
  const messages = await messagesOf('r13');
  console.log(`key erased mid-group: results ${results.map((r) => r.status).join(', ')}; stored ${JSON.stringify(messages)}`);
  expect(messages.filter((message) => message === 'keyless A')).toHaveLength(1);
  expect(messages.filter((message) => message === 'keyless B')).toHaveLength(1);
  expect(results[0]!.status).toBe('fulfilled');
  expect(results[1]!.status).toBe('fulfilled');
}, 20_000);

test('the connection drops while the commit is answered: the group is not retried row by row', async () => {
  const ingestor = createIngestor({ sql: proxied, bus: createLocalBus(), log });
  await ingestor.ingest([{ user_id: 'warm', type: 't', message: 'opens the connections' }]);
  // The group waits for a key held elsewhere; meanwhile the proxy holds every byte, so the commit's answer stalls.
  let letGo!: () => void;
  const gate = new Promise<void>((resolve) => (letGo = resolve));
  const holder = other.begin(async (tx) => {
    await tx`insert into notifications (user_id, type, message, idempotency_key) values ('cut', 't', 'from elsewhere', 'K')`;
    await gate;
  });
  await Bun.sleep(100);
  const group = Promise.allSettled([
    ingestor.ingest([{ user_id: 'cut', type: 't', message: 'keyless A' }]),
    ingestor.ingest([{ user_id: 'cut', type: 't', message: 'keyless B' }]),
    ingestor.ingest([{ user_id: 'cut', type: 't', message: 'keyed', idempotency_key: 'K' }]),
  ]);
  await Bun.sleep(200);
  proxy.pause();
  letGo();
  await holder;
  // The group has committed on the server; its answer sits in the proxy. The connection goes.
  for (let i = 0; i < 50; i++) {
    const [row] = await database.sql`select 1 from notifications where user_id = 'cut' and message = 'keyless A'`;
    if (row) break;
    await Bun.sleep(50);
  }
  proxy.reset();
  proxy.pass();
  const results = await group;
  const messages = await messagesOf('cut');
  console.log(`connection lost at commit: results ${results.map((r) => r.status).join(', ')}; stored ${JSON.stringify(messages)}`);
  expect(messages.filter((message) => message === 'keyless A')).toHaveLength(1);
  expect(messages.filter((message) => message === 'keyless B')).toHaveLength(1);
  // Stored, but the answer was lost: the callers are not told "nothing was stored".
  for (const result of results.filter((r) => r.status === 'rejected')) {
    const error = (result as PromiseRejectedResult).reason as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect([error.status, error.code]).toEqual([503, 'outcome_unknown']);
    expect(error.message).toContain('may or may not have been stored');
  }
  expect(results.some((r) => r.status === 'rejected')).toBe(true);
}, 20_000);
