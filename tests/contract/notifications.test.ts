/**
 * Contract: /api/notifications: list (order, shape, limit, status, cursor), unread-count, read, read-all.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { checkResponsesAgainstOpenApi } from '../helpers/openapi-recorder.ts';
import { call, errorOf } from '../helpers/http.ts';

checkResponsesAgainstOpenApi();

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry()));
afterAll(() => belfry.stop());

interface Item {
  id: string;
  type: string;
  message: string;
  created_at: string;
  read_at: string | null;
}

let user = 0;
/** A fresh user with `count` notifications, returning the token and the ids in creation order. */
async function userWith(count: number) {
  const userId = `user-${++user}-${Date.now()}`;
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const response = await belfry.ingest({ user_id: userId, type: index % 2 ? 'mention' : 'comment', message: `n${index}` });
    ids.push(((await response.json()) as { ids: string[] }).ids[0]!);
  }
  return { userId, token: await belfry.tokenFor(userId), ids };
}

const list = async (token: string, query = '') => {
  const response = await call(belfry.url, `/api/notifications${query}`, { token });
  return { response, items: response.status === 200 ? ((await response.json()) as Item[]) : [] };
};

describe('GET /api/notifications', () => {
  test('unread, newest first, exact shape', async () => {
    const { token, ids } = await userWith(3);
    const { response, items } = await list(token);
    expect(response.status).toBe(200);
    expect(items.map((item) => item.id)).toEqual([...ids].reverse());
    const item = items[0]!;
    expect(Object.keys(item).sort()).toEqual(['archived_at', 'created_at', 'id', 'message', 'read_at', 'seen_at', 'type']);
    expect(item.id).toBeTypeOf('string');
    expect(item.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(item.read_at).toBeNull();
    expect(item.message).toBe('n2');
  });

  test('ties on created_at are ordered by id descending', async () => {
    const userId = `tie-${Date.now()}`;
    const response = await belfry.ingest({ events: Array.from({ length: 5 }, (_, index) => ({ user_id: userId, type: 't', message: `b${index}` })) });
    const { ids } = (await response.json()) as { ids: string[] };
    const { items } = await list(await belfry.tokenFor(userId));
    expect(new Set(items.map((item) => item.created_at)).size).toBe(1);
    expect(items.map((item) => item.id)).toEqual([...ids].sort((a, b) => Number(b) - Number(a)));
  });

  test('read notifications are left out unless status=all', async () => {
    const { token, ids } = await userWith(3);
    await call(belfry.url, '/api/notifications/read', { token, body: { id: ids[1] } });
    expect((await list(token)).items.map((item) => item.id)).toEqual([ids[2]!, ids[0]!]);
    const all = (await list(token, '?status=all')).items;
    expect(all.map((item) => item.id)).toEqual([ids[2]!, ids[1]!, ids[0]!]);
    expect(all[1]!.read_at).toMatch(/Z$/);
  });

  test('limit defaults to 50 and pages follow the cursor to the end without gaps or repeats', async () => {
    const { token, ids } = await userWith(0);
    const userId = `pager-${Date.now()}`;
    const batch = await belfry.ingest({ events: Array.from({ length: 120 }, (_, index) => ({ user_id: userId, type: 't', message: `p${index}` })) });
    ids.push(...((await batch.json()) as { ids: string[] }).ids);
    const pagerToken = await belfry.tokenFor(userId);
    const first = await list(pagerToken);
    expect(first.items).toHaveLength(50);
    const seen: string[] = [];
    let query = '?limit=45';
    for (let pages = 0; pages < 10; pages++) {
      const { response, items } = await list(pagerToken, query);
      seen.push(...items.map((item) => item.id));
      const next = response.headers.get('x-next-cursor');
      if (!next) break;
      expect(response.headers.get('link')).toContain('rel="next"');
      query = `?limit=45&cursor=${encodeURIComponent(next)}`;
    }
    expect(seen).toEqual([...ids].sort((a, b) => Number(b) - Number(a)));
    expect(token).toBeTruthy();
  });

  test('a page is stable when new notifications arrive', async () => {
    const { userId, token } = await userWith(4);
    const first = await list(token, '?limit=2');
    await belfry.ingest({ user_id: userId, type: 't', message: 'newer' });
    const cursor = first.response.headers.get('x-next-cursor')!;
    const second = await list(token, `?limit=2&cursor=${encodeURIComponent(cursor)}`);
    expect(second.items.map((item) => item.message)).toEqual(['n1', 'n0']);
  });

  for (const [query, kind] of [
    ['?limit=0', 'limit 0'],
    ['?limit=101', 'limit 101'],
    ['?limit=abc', 'limit not a number'],
    ['?limit=1.5', 'limit fractional'],
    ['?status=archive', 'unknown status'],
    ['?status=', 'empty status'],
    ['?category=-bad', 'category not a key'],
    ['?limit=10&cursor=x&_=1', 'a bad cursor beside an unknown parameter'],
    ['?cursor=garbage', 'undecodable cursor'],
    [`?cursor=${Buffer.from('["2026-01-01T00:00:00.000Z","0"]').toString('base64url')}`, 'cursor with a bad id'],
  ] as const) {
    test(`${kind} → 400 validation_failed`, async () => {
      const { response } = await list(await belfry.tokenFor('anyone'), query);
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('validation_failed');
      expect(error.details!.length).toBeGreaterThan(0);
    });
  }

  test('unknown parameters are ignored: a cache-buster does not turn the list into a 400', async () => {
    const { token, ids } = await userWith(2);
    const { response, items } = await list(token, `?_=${Date.now()}&utm_source=mail&limit=1`);
    expect(response.status).toBe(200);
    expect(items.map((item) => item.id)).toEqual([ids[1]!]);
  });
});

describe('GET /api/notifications/unread-count', () => {
  test('counts only the caller’s unread', async () => {
    const { token, ids } = await userWith(4);
    await userWith(2);
    await call(belfry.url, '/api/notifications/read', { token, body: { id: ids[0] } });
    const response = await call(belfry.url, '/api/notifications/unread-count', { token });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ count: 3, unseen: 3 });
  });
});

describe('POST /api/notifications/read', () => {
  test('204 with no body, then the row is read', async () => {
    const { token, ids } = await userWith(1);
    const response = await call(belfry.url, '/api/notifications/read', { token, body: { id: ids[0] } });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    const [row] = await belfry.sql`select read_at from notifications where id = ${ids[0]!}`;
    expect(row!.read_at).toBeInstanceOf(Date);
  });

  test('idempotent: reading again is 204 and keeps the first read_at', async () => {
    const { token, ids } = await userWith(1);
    await call(belfry.url, '/api/notifications/read', { token, body: { id: ids[0] } });
    const [before] = await belfry.sql`select read_at from notifications where id = ${ids[0]!}`;
    await Bun.sleep(5);
    const response = await call(belfry.url, '/api/notifications/read', { token, body: { id: ids[0] } });
    expect(response.status).toBe(204);
    const [after] = await belfry.sql`select read_at from notifications where id = ${ids[0]!}`;
    expect(after!.read_at).toEqual(before!.read_at);
  });

  test('someone else’s notification → 404, and it stays unread', async () => {
    const alice = await userWith(1);
    const bob = await userWith(0);
    const response = await call(belfry.url, '/api/notifications/read', { token: bob.token, body: { id: alice.ids[0] } });
    expect(response.status).toBe(404);
    const missing = await call(belfry.url, '/api/notifications/read', { token: bob.token, body: { id: '999999999999' } });
    // Same answer for "not yours" and "does not exist": nothing to tell them apart.
    expect(await errorOf(missing)).toEqual(await errorOf(response));
    const [row] = await belfry.sql`select read_at from notifications where id = ${alice.ids[0]!}`;
    expect(row!.read_at).toBeNull();
  });

  for (const id of ['0', '-1', 'abc', '1e3', '99999999999999999999', ' 1']) {
    test(`malformed id ${JSON.stringify(id)} → 404`, async () => {
      const response = await call(belfry.url, '/api/notifications/read', { token: await belfry.tokenFor('x'), body: { id } });
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe('not_found');
    });
  }

  for (const [kind, body] of [
    ['empty object', {}],
    ['id a number', { id: 1 }],
    ['id null', { id: null }],
    ['id empty', { id: '' }],
    ['extra field', { id: '1', extra: true }],
  ] as const) {
    test(`${kind} → 400 validation_failed`, async () => {
      const response = await call(belfry.url, '/api/notifications/read', { token: await belfry.tokenFor('x'), body });
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('validation_failed');
    });
  }

  test('not JSON → 400 invalid_json', async () => {
    const response = await call(belfry.url, '/api/notifications/read', { token: await belfry.tokenFor('x'), body: 'id=1' });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('invalid_json');
  });

  test('no body → 415', async () => {
    const response = await call(belfry.url, '/api/notifications/read', { token: await belfry.tokenFor('x'), method: 'POST' });
    expect(response.status).toBe(415);
  });

  test('a body over 16 KiB → 413', async () => {
    const response = await call(belfry.url, '/api/notifications/read', { token: await belfry.tokenFor('x'), body: { id: 'x'.repeat(20_000) } });
    expect(response.status).toBe(413);
  });

  test('GET → 405', async () => {
    const response = await call(belfry.url, '/api/notifications/read', { token: await belfry.tokenFor('x') });
    expect(response.status).toBe(405);
  });
});

describe('POST /api/notifications/read-all', () => {
  test('204; every unread of the caller becomes read, nobody else’s', async () => {
    const alice = await userWith(3);
    const bob = await userWith(2);
    const response = await call(belfry.url, '/api/notifications/read-all', { token: alice.token, method: 'POST' });
    expect(response.status).toBe(204);
    expect(await (await call(belfry.url, '/api/notifications/unread-count', { token: alice.token })).json()).toEqual({ count: 0, unseen: 0 });
    expect(await (await call(belfry.url, '/api/notifications/unread-count', { token: bob.token })).json()).toEqual({ count: 2, unseen: 2 });
  });

  test('with nothing unread it is still 204', async () => {
    const { token } = await userWith(0);
    expect((await call(belfry.url, '/api/notifications/read-all', { token, method: 'POST' })).status).toBe(204);
  });
});

describe('routing', () => {
  test('unknown route → 404 JSON', async () => {
    const response = await call(belfry.url, '/api/nothing-here');
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe('not_found');
  });
  test('DELETE on the list → 405', async () => {
    const response = await call(belfry.url, '/api/notifications', { token: await belfry.tokenFor('x'), method: 'DELETE' });
    expect(response.status).toBe(405);
  });
});
