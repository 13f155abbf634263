/**
 * Integration: concurrent batches whose idempotency keys overlap, each in its own shuffled order. Without a fixed
 * lock order two inserts wait for each other's keys and Postgres kills one (deadlock, 40P01).
 * Every request must succeed (or, at worst, answer 503), every key is stored once, and every response agrees on it.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { toAppError } from '../../src/errors.ts';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry({ bus: 'local' })));
afterAll(() => belfry.stop());

const shuffled = <T>(items: T[]) => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
};

test('80 concurrent batches with overlapping keys in shuffled orders: no 500, each key once, consistent ids', async () => {
  const users = ['dl-a', 'dl-b', 'dl-c'];
  const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
  const pairs = users.flatMap((user) => keys.map((key) => ({ user, key })));
  const batches = Array.from({ length: 80 }, (_, b) => shuffled(pairs).slice(0, 100 + (b % 60)));
  const responses = await Promise.all(
    batches.map((batch, b) =>
      belfry.ingest({ events: batch.map(({ user, key }) => ({ user_id: user, type: 't', message: `${user}/${key} from ${b}`, idempotency_key: key })) }),
    ),
  );
  const statuses = responses.map((response) => response.status);
  console.log(`overlapping batches: ${statuses.filter((s) => s === 201).length} × 201, ${statuses.filter((s) => s === 503).length} × 503, ${statuses.filter((s) => s >= 500 && s !== 503).length} × other 5xx`);
  expect(statuses.filter((status) => status !== 201 && status !== 503)).toEqual([]);
  expect(statuses.filter((status) => status === 201).length).toBeGreaterThanOrEqual(76);

  const idOf = new Map<string, string>();
  for (const [b, response] of responses.entries()) {
    if (response.status !== 201) continue;
    const { ids } = (await response.json()) as { ids: string[] };
    expect(ids).toHaveLength(batches[b]!.length);
    batches[b]!.forEach(({ user, key }, i) => {
      const known = idOf.get(`${user}/${key}`);
      if (known) expect(ids[i]).toBe(known);
      else idOf.set(`${user}/${key}`, ids[i]!);
    });
  }
  const rows = await belfry.sql<{ id: string; user_id: string; idempotency_key: string }[]>`
    select id, user_id, idempotency_key from notifications where user_id in ${belfry.sql(users)}
  `;
  const stored = new Map<string, string>();
  for (const row of rows) {
    const name = `${row.user_id}/${row.idempotency_key}`;
    expect(stored.has(name)).toBe(false);
    stored.set(name, row.id);
  }
  for (const [name, id] of idOf) expect(stored.get(name)).toBe(id);
}, 60_000);

test('deadlocks and serialization failures map to 503, never 500', () => {
  for (const code of ['40P01', '40001']) expect(toAppError({ code }).status).toBe(503);
});
