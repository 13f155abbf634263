/**
 * Integration: large keyless batches are stored with COPY, the rest with the insert statement. Both must store the
 * same text, hand back ids in request order, and write the outbox row in the same statement as the rows.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { insertNotifications, type NewNotification } from '../../src/db/notifications.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/services.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

// Everything COPY's text format treats specially: tab, newline, carriage return, backslash, `\N`, `\.`.
const awkward = 'tab\there back\\slash \\N \\. new\nline cr\r é 😀 \u0001';
const event = (index: number, user: string): NewNotification => ({
  user_id: user,
  type: `t\\${index % 3}`,
  message: `${awkward} ${index}`,
  ...(index % 2 ? { title: 'a\ttitle', actor: { name: 'A\tB "q"' } } : {}),
  ...(index % 3 ? { url: '/a\\b', actions: [{ label: 'l\n', url: '/x' }] } : {}),
  ...(index % 5 ? { category: 'c', data: { k: ['v\n', 1.5, { z: null }], '\\': '\t' } } : {}),
});
const stored = (ids: string[]) => database.sql<Record<string, unknown>[]>`
  select id, user_id, type, message, title, url, actor::text, actions::text, category, data::text, created_at
  from notifications
  where id = any(${ids}::bigint[])
  order by array_position(${ids}::bigint[], id)
`;
const withoutIds = (rows: Record<string, unknown>[]): Record<string, unknown>[] => rows.map(({ id: _id, created_at: _at, ...row }) => row);

test('a large keyless batch (COPY) stores what the insert statement stores, ids in request order, one outbox row', async () => {
  const big = Array.from({ length: 300 }, (_, index) => event(index, `copy-${index % 7}`));
  const small = big.slice(0, 40).map((e) => ({ ...e, user_id: e.user_id.replace('copy', 'stmt') }));
  const viaCopy = await insertNotifications(database.sql, big);
  const viaStatement = await insertNotifications(database.sql, small);

  const copied = await stored(viaCopy.ids);
  expect(copied).toHaveLength(300);
  expect(copied.map((row) => row.message)).toEqual(big.map((e) => e.message));
  const copiedRows: Record<string, unknown>[] = withoutIds(copied.slice(0, 40)).map((row) => ({ ...row, user_id: String(row.user_id).replace('copy', 'stmt') }));
  expect(copiedRows).toEqual(withoutIds(await stored(viaStatement.ids)));

  expect(viaCopy.created.map((row) => row.id)).toEqual(viaCopy.ids);
  expect(viaCopy.created[0]!.created_at).toEqual(copied[0]!.created_at as Date);
  const [outbox] = await database.sql<[{ ids: string[] }]>`select notification_ids as ids from notification_outbox where id = ${viaCopy.outboxId!}`;
  expect([...outbox.ids].sort()).toEqual([...viaCopy.ids].sort());
});

test('only the COPY writes an outbox row by trigger: a row inserted by hand gets none', async () => {
  const [{ before }] = await database.sql<[{ before: number }]>`select count(*)::int as before from notification_outbox`;
  await database.sql`insert into notifications (user_id, type, message) values ('by-hand', 't', 'm')`;
  const [{ after }] = await database.sql<[{ after: number }]>`select count(*)::int as after from notification_outbox`;
  expect(after).toBe(before);
});

test('a large batch with one key goes through the statement: the key still decides', async () => {
  const batch = Array.from({ length: 200 }, (_, index) => event(index, `mixed-${index % 5}`));
  batch[7] = { ...batch[7]!, idempotency_key: 'K' };
  const first = await insertNotifications(database.sql, batch);
  const again = await insertNotifications(database.sql, [{ ...batch[7]! }]);
  expect(again.ids).toEqual([first.ids[7]!]);
  expect(again.created).toHaveLength(0);
  expect(first.created).toHaveLength(200);
});

test('a large batch that sets only some optional fields stores the rest as null', async () => {
  const batch = Array.from({ length: 120 }, (_, index) => ({ user_id: `sparse-${index % 3}`, type: 't', message: `m ${index}`, ...(index % 2 ? { category: 'c' } : {}) }));
  const { ids } = await insertNotifications(database.sql, batch);
  const rows = await stored(ids);
  expect(rows.map((row) => row.category)).toEqual(batch.map((e) => ('category' in e ? e.category : null)));
  expect(rows.every((row) => row.title === null && row.url === null && row.actor === null && row.actions === null && row.data === null)).toBe(true);
});
