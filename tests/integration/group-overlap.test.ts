/**
 * Integration: while one insert is in flight, a few waiting requests do not each start another one: they wait
 * for it and go together (fewer commits, fewer socket writes). Waiting has a bound, though: an insert that takes
 * long lets the next one start after `overlapAfterMs`, so one stuck statement cannot hold the rest.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import postgres from 'postgres';
import { createSql, type Sql } from '../../src/db/client.ts';
import { createIngestor } from '../../src/ingest/ingestor.ts';
import { createLocalBus } from '../../src/bus/local.ts';
import { createLogger } from '../../src/log.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/services.ts';

let database: TestDatabase;
let sql: Sql;
let locker: postgres.Sql;
beforeAll(async () => {
  database = await createTestDatabase();
  sql = createSql(database.url, { max: 4, statementTimeoutMs: 10_000 });
  locker = postgres(database.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql.end({ timeout: 1 });
  await locker.end({ timeout: 1 });
  await database.drop();
});

const log = createLogger('silent');
const transactionsOf = async (user: string) =>
  (await database.sql<[{ n: number }]>`select count(distinct xmin::text)::int as n from notifications where user_id = ${user}`)[0].n;
const waitingInserts = async () =>
  (await database.sql<[{ n: number }]>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock' and query ilike '%notifications%'
  `)[0].n;

/** Holds a lock that blocks every insert into notifications until the returned function is called. */
async function blockInserts(): Promise<() => Promise<void>> {
  const reserved = await locker.reserve();
  await reserved`begin`;
  await reserved`lock table notifications in share row exclusive mode`;
  return async () => {
    await reserved`commit`;
    reserved.release();
  };
}

test('requests arriving while an insert is in flight wait for it and share the next insert', async () => {
  const ingestor = createIngestor({ sql, bus: createLocalBus(), log, maxInFlight: 4, overlapRows: 64, overlapAfterMs: 10_000 });
  const release = await blockInserts();
  const first = ingestor.ingest([{ user_id: 'overlap', type: 't', message: 'first' }]);
  const rest: Promise<string[]>[] = [];
  for (let i = 0; i < 10; i++) {
    await Bun.sleep(5);
    rest.push(ingestor.ingest([{ user_id: 'overlap', type: 't', message: `then ${i}` }]));
  }
  await Bun.sleep(100);
  const waiting = await waitingInserts().finally(release);
  expect(waiting).toBe(1);
  await Promise.all([first, ...rest]);
  expect(await transactionsOf('overlap')).toBe(2);
});

test('an insert that takes long does not hold the others past overlapAfterMs', async () => {
  const ingestor = createIngestor({ sql, bus: createLocalBus(), log, maxInFlight: 4, overlapRows: 64, overlapAfterMs: 30 });
  const release = await blockInserts();
  const all = [ingestor.ingest([{ user_id: 'overdue', type: 't', message: 'first' }])];
  for (let i = 0; i < 3; i++) {
    await Bun.sleep(100);
    all.push(ingestor.ingest([{ user_id: 'overdue', type: 't', message: `then ${i}` }]));
  }
  await Bun.sleep(100);
  const waiting = await waitingInserts().finally(release);
  expect(waiting).toBe(4);
  expect((await Promise.all(all)).flat()).toHaveLength(4);
});
