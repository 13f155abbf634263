/**
 * Personal data: erase (rows gone, open sockets told to clear), export (everything of the user, nobody else's),
 * retention (read notifications past RETENTION_DAYS deleted in batches, unread and recent kept).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { connect } from '../helpers/ws-client.ts';
import { call, errorOf } from '../helpers/http.ts';
import { applyRetention } from '../../src/retention.ts';

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry()));
afterAll(() => belfry.stop());

const ingest = async (userId: string, count: number) =>
  ((await (await belfry.ingest({ events: Array.from({ length: count }, (_, i) => ({ user_id: userId, type: 't', message: `${userId} ${i}` })) })).json()) as { ids: string[] }).ids;

describe('erase', () => {
  test('deletes every notification of the user, tells their sockets, leaves others alone', async () => {
    await ingest('erase-me', 5);
    await ingest('keep-me', 2);
    const socket = await connect(belfry.wsUrl, await belfry.tokenFor('erase-me'));
    const response = await call(belfry.url, '/api/users/erase-me/notifications', { token: belfry.adminKey, method: 'DELETE' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ deleted: 5 });
    expect(await socket.next((f) => f.type === 'ERASED')).toEqual({ type: 'ERASED', payload: {} });
    const [{ count }] = await belfry.sql<[{ count: number }]>`select count(*)::int as count from notifications where user_id = 'erase-me'`;
    expect(count).toBe(0);
    const [{ kept }] = await belfry.sql<[{ kept: number }]>`select count(*)::int as kept from notifications where user_id = 'keep-me'`;
    expect(kept).toBe(2);
    socket.close();
  });

  test('needs the admin key; a user token or the ingest key is not enough', async () => {
    for (const token of [await belfry.tokenFor('keep-me'), belfry.ingestKey]) {
      const response = await call(belfry.url, '/api/users/keep-me/notifications', { token, method: 'DELETE' });
      expect(response.status).toBe(401);
      const exported = await call(belfry.url, '/api/users/keep-me/notifications/export', { token });
      expect(exported.status).toBe(401);
    }
    const [{ kept }] = await belfry.sql<[{ kept: number }]>`select count(*)::int as kept from notifications where user_id = 'keep-me'`;
    expect(kept).toBe(2);
  });

  test('an invalid user id is 400', async () => {
    const response = await call(belfry.url, `/api/users/${encodeURIComponent('a\u0001b')}/notifications`, { token: belfry.adminKey, method: 'DELETE' });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('validation_failed');
  });
});

describe('user ids a path cannot carry, or carries ambiguously', () => {
  test('"." and ".." are refused at ingest: a URL resolves them, so they could never be erased or exported', async () => {
    for (const userId of ['.', '..']) {
      const response = await belfry.ingest({ user_id: userId, type: 't', message: 'unreachable' });
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('validation_failed');
      expect(error.details?.[0]?.path).toBe('user_id');
    }
    const [{ count }] = await belfry.sql<[{ count: number }]>`select count(*)::int as count from notifications where user_id in ('.', '..')`;
    expect(count).toBe(0);
  });

  test('a malformed percent-encoding in the path is 400, not an id taken literally', async () => {
    await ingest('%', 1);
    await ingest('%ff', 1);
    for (const raw of ['%', '%ff', 'a%zz', '%ED%A0%80', '%C3']) {
      for (const [method, path] of [['DELETE', `/api/users/${raw}/notifications`], ['GET', `/api/users/${raw}/notifications/export`]] as const) {
        const response = await call(belfry.url, path, { token: belfry.adminKey, method });
        expect(`${method} ${raw} ${response.status}`).toBe(`${method} ${raw} 400`);
        expect((await errorOf(response)).code).toBe('validation_failed');
      }
    }
    // Nothing was erased by a malformed path; the well-formed spelling still reaches these ids.
    const [{ count }] = await belfry.sql<[{ count: number }]>`select count(*)::int as count from notifications where user_id in ('%', '%ff')`;
    expect(count).toBe(2);
    const exported = await call(belfry.url, `/api/users/${encodeURIComponent('%ff')}/notifications/export`, { token: belfry.adminKey });
    expect(((await exported.json()) as { user_id: string }).user_id).toBe('%ff');
    const erased = await call(belfry.url, `/api/users/${encodeURIComponent('%')}/notifications`, { token: belfry.adminKey, method: 'DELETE' });
    expect(await erased.json()).toEqual({ deleted: 1 });
  });

  test('"." and ".." in a path never reach a personal-data route as an id', async () => {
    for (const raw of ['.', '..', '%2e', '%2E%2e']) {
      const response = await call(belfry.url, `/api/users/${raw}/notifications/export`, { token: belfry.adminKey });
      // Resolved away by the URL: the request lands on no route (404) or on the user API ('..', which wants a JWT: 401).
      expect([400, 401, 404]).toContain(response.status);
    }
  });
});

describe('export', () => {
  test('every notification of the user, read or not, oldest first, with an attachment header', async () => {
    const ids = await ingest('export-me', 3);
    await ingest('not-me', 1);
    await call(belfry.url, '/api/notifications/read', { token: await belfry.tokenFor('export-me'), body: { id: ids[0] } });
    const response = await call(belfry.url, '/api/users/export-me/notifications/export', { token: belfry.adminKey });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain('attachment');
    const body = (await response.json()) as { user_id: string; notifications: { id: string; message: string; read_at: string | null }[] };
    expect(body.user_id).toBe('export-me');
    expect(body.notifications.map((n) => n.id)).toEqual(ids);
    expect(body.notifications[0]!.read_at).not.toBeNull();
    expect(JSON.stringify(body)).not.toContain('not-me');
  });
});

describe('inbox data', () => {
  test('export holds content, states, deleted rows and preferences; erase removes all of it', async () => {
    const userId = 'inbox-person';
    const token = await belfry.tokenFor(userId);
    const content = { title: 'T', url: '/x', actor: { name: 'Ada' }, actions: [{ label: 'Open', url: '/x' }], category: 'c', data: { k: 1 } };
    const { ids } = (await (await belfry.ingest({ events: [{ user_id: userId, type: 't', message: 'a', ...content }, { user_id: userId, type: 't', message: 'b' }] })).json()) as { ids: string[] };
    await call(belfry.url, '/api/notifications/seen', { token, body: { ids } });
    await call(belfry.url, '/api/notifications/archive', { token, body: { ids: [ids[0]] } });
    await call(belfry.url, `/api/notifications/${ids[1]}`, { token, method: 'DELETE' });
    await call(belfry.url, '/api/preferences', { token, method: 'PUT', body: { muted: { categories: ['c'], types: ['noise'] } } });

    const exported = (await (await call(belfry.url, `/api/users/${userId}/notifications/export`, { token: belfry.adminKey })).json()) as {
      notifications: Record<string, unknown>[];
      preferences: unknown;
    };
    expect(exported.notifications.map((item) => item.id)).toEqual(ids);
    expect(exported.notifications[0]).toMatchObject({ ...content, seen_at: expect.any(String), archived_at: expect.any(String), deleted_at: null });
    expect(exported.notifications[1]).toMatchObject({ message: 'b', deleted_at: expect.any(String) });
    expect(exported.preferences).toEqual({ muted: { categories: ['c'], types: ['noise'] } });

    const erased = await call(belfry.url, `/api/users/${userId}/notifications`, { token: belfry.adminKey, method: 'DELETE' });
    expect(await erased.json()).toEqual({ deleted: 2 });
    const [{ left }] = await belfry.sql<[{ left: number }]>`
      select (select count(*) from notifications where user_id = ${userId}) + (select count(*) from notification_preferences where user_id = ${userId}) as left
    `;
    expect(Number(left)).toBe(0);
    const after = (await (await call(belfry.url, `/api/users/${userId}/notifications/export`, { token: belfry.adminKey })).json()) as { notifications: unknown[]; preferences: unknown };
    expect(after.notifications).toEqual([]);
    expect(after.preferences).toEqual({ muted: { categories: [], types: [] } });
  });
});

describe('retention', () => {
  test('deletes read notifications older than RETENTION_DAYS in batches; keeps unread and recently read', async () => {
    const old = await ingest('retained', 25);
    const recent = await ingest('retained', 3);
    const unread = await ingest('retained', 2);
    await belfry.sql`update notifications set read_at = now() - interval '40 days' where id in ${belfry.sql(old)}`;
    await belfry.sql`update notifications set read_at = now() - interval '1 day' where id in ${belfry.sql(recent)}`;
    const deleted = await applyRetention({ sql: belfry.sql, days: 30, batchSize: 10, pauseMs: 1 });
    expect(deleted).toBe(25);
    const left = await belfry.sql<{ id: string }[]>`select id from notifications where user_id = 'retained' order by id`;
    expect(left.map((row) => row.id)).toEqual([...recent, ...unread]);
  });

  test('rows the user deleted long ago go too; recently deleted ones stay until then', async () => {
    const [oldDeleted, recentDeleted] = await ingest('retained-deleted', 2);
    await belfry.sql`update notifications set deleted_at = now() - interval '40 days' where id = ${oldDeleted!}`;
    await belfry.sql`update notifications set deleted_at = now() - interval '1 day' where id = ${recentDeleted!}`;
    await applyRetention({ sql: belfry.sql, days: 30, batchSize: 10, pauseMs: 1 });
    const left = await belfry.sql<{ id: string }[]>`select id from notifications where user_id = 'retained-deleted' order by id`;
    expect(left.map((row) => row.id)).toEqual([recentDeleted!]);
  });
});
