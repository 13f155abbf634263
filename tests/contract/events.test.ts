/**
 * Contract: POST /api/events: single and batch ingest, ids in order after commit, idempotency, validation.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { checkResponsesAgainstOpenApi } from '../helpers/openapi-recorder.ts';
import { call, errorOf } from '../helpers/http.ts';

checkResponsesAgainstOpenApi();

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry()));
afterAll(() => belfry.stop());

const event = (overrides: Record<string, unknown> = {}) => ({ user_id: 'alice', type: 'comment', message: 'hello', ...overrides });

describe('accepted', () => {
  test('one event → 201 { ids: [id] }, committed before the answer', async () => {
    const response = await belfry.ingest(event({ message: 'single' }));
    expect(response.status).toBe(201);
    const { ids } = (await response.json()) as { ids: string[] };
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^[1-9]\d*$/);
    const [row] = await belfry.sql`select user_id, type, message, read_at from notifications where id = ${ids[0]!}`;
    expect(row).toEqual({ user_id: 'alice', type: 'comment', message: 'single', read_at: null });
  });

  test('a batch → ids in request order', async () => {
    const events = Array.from({ length: 25 }, (_, index) => event({ user_id: `u${index % 3}`, message: `m${index}` }));
    const response = await belfry.ingest({ events });
    expect(response.status).toBe(201);
    const { ids } = (await response.json()) as { ids: string[] };
    expect(ids).toHaveLength(25);
    const rows = await belfry.sql<{ id: string; message: string }[]>`select id, message from notifications where id in ${belfry.sql(ids)}`;
    const messageById = new Map(rows.map((row) => [row.id, row.message]));
    ids.forEach((id, index) => expect(messageById.get(id)).toBe(`m${index}`));
  });

  test('a batch of 1000 is accepted', async () => {
    const response = await belfry.ingest({ events: Array.from({ length: 1000 }, (_, index) => event({ message: `bulk ${index}` })) });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { ids: string[] }).ids).toHaveLength(1000);
  });

  test('unicode and HTML are stored as they are', async () => {
    const message = '<img src=x onerror=alert(1)> ✓ 日本語 🚀';
    const { ids } = (await (await belfry.ingest(event({ message }))).json()) as { ids: string[] };
    const [row] = await belfry.sql`select message from notifications where id = ${ids[0]!}`;
    expect(row!.message).toBe(message);
  });
});

describe('idempotency', () => {
  test('the same key for the same user returns the same id and creates nothing', async () => {
    const first = (await (await belfry.ingest(event({ idempotency_key: 'k-1' }))).json()) as { ids: string[] };
    const again = (await (await belfry.ingest(event({ idempotency_key: 'k-1', message: 'changed' }))).json()) as { ids: string[] };
    expect(again.ids).toEqual(first.ids);
    const [{ count }] = await belfry.sql<[{ count: number }]>`select count(*)::int as count from notifications where idempotency_key = 'k-1'`;
    expect(count).toBe(1);
  });

  test('the same key for another user is another notification', async () => {
    const a = (await (await belfry.ingest(event({ user_id: 'k-a', idempotency_key: 'shared' }))).json()) as { ids: string[] };
    const b = (await (await belfry.ingest(event({ user_id: 'k-b', idempotency_key: 'shared' }))).json()) as { ids: string[] };
    expect(a.ids[0]).not.toBe(b.ids[0]);
  });

  test('repeats inside one batch share the first id', async () => {
    const response = await belfry.ingest({
      events: [event({ idempotency_key: 'in-batch' }), event({ idempotency_key: 'other' }), event({ idempotency_key: 'in-batch' })],
    });
    const { ids } = (await response.json()) as { ids: string[] };
    expect(ids[2]).toBe(ids[0]!);
    expect(ids[1]).not.toBe(ids[0]!);
  });

  test('concurrent requests with one key create one row', async () => {
    const responses = await Promise.all(Array.from({ length: 30 }, () => belfry.ingest(event({ user_id: 'race', idempotency_key: 'same' }))));
    const ids = await Promise.all(responses.map(async (response) => ((await response.json()) as { ids: string[] }).ids[0]));
    expect(new Set(ids).size).toBe(1);
    const [{ count }] = await belfry.sql<[{ count: number }]>`select count(*)::int as count from notifications where user_id = 'race'`;
    expect(count).toBe(1);
  });
});

describe('rejected', () => {
  const invalid: Record<string, unknown> = {
    'missing user_id': { type: 't', message: 'm' },
    'empty user_id': event({ user_id: '' }),
    'user_id too long': event({ user_id: 'u'.repeat(256) }),
    'user_id with NUL': event({ user_id: 'a\u0000b' }),
    'user_id a number': event({ user_id: 7 }),
    'type too long': event({ type: 't'.repeat(65) }),
    'type with newline': event({ type: 'a\nb' }),
    'message empty': event({ message: '' }),
    'message too long': event({ message: 'm'.repeat(4001) }),
    'message with NUL': event({ message: 'bad \u0000 byte' }),
    'idempotency_key empty': event({ idempotency_key: '' }),
    'unknown field': event({ priority: 'high' }),
    'empty batch': { events: [] },
    'batch of 1001': { events: Array.from({ length: 1001 }, () => event()) },
    'batch with one bad event': { events: [event(), event({ message: '' })] },
    'events not an array': { events: 'nope' },
  };
  for (const [kind, body] of Object.entries(invalid)) {
    test(`${kind} → 400 validation_failed with details, nothing stored`, async () => {
      const [{ before }] = await belfry.sql<[{ before: number }]>`select count(*)::int as before from notifications`;
      const response = await belfry.ingest(body);
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('validation_failed');
      expect(error.details!.length).toBeGreaterThan(0);
      const [{ after }] = await belfry.sql<[{ after: number }]>`select count(*)::int as after from notifications`;
      expect(after).toBe(before);
    });
  }

  test('detail paths name the bad field inside a batch', async () => {
    const response = await belfry.ingest({ events: [event(), event(), event({ user_id: '' })] });
    const error = await errorOf(response);
    expect(error.details!.some((detail) => detail.path.includes('2') && detail.path.includes('user_id'))).toBe(true);
  });

  test('not JSON → 400 invalid_json', async () => {
    const response = await call(belfry.url, '/api/events', { token: belfry.ingestKey, body: '{"user_id":' });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('invalid_json');
  });

  test('a JSON array → 400 invalid_json', async () => {
    const response = await call(belfry.url, '/api/events', { token: belfry.ingestKey, body: '[1,2]' });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('invalid_json');
  });

  test('another content type → 415', async () => {
    const response = await call(belfry.url, '/api/events', {
      token: belfry.ingestKey,
      body: JSON.stringify(event()),
      headers: { 'content-type': 'text/plain' },
    });
    expect(response.status).toBe(415);
    expect((await errorOf(response)).code).toBe('unsupported_media_type');
  });

  test('a body over 4 MiB → 413', async () => {
    const response = await call(belfry.url, '/api/events', { token: belfry.ingestKey, body: `{"pad":"${'x'.repeat(4.5 * 1024 * 1024)}"}` });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('payload_too_large');
  });

  test('GET → 405', async () => {
    const response = await call(belfry.url, '/api/events', { token: belfry.ingestKey });
    expect(response.status).toBe(405);
    expect((await errorOf(response)).code).toBe('method_not_allowed');
  });
});
