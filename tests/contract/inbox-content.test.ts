/**
 * Contract: the optional content of a notification (title, url, actor, actions, category, data) through ingest, the
 * list, the export and the push; the original frame for original events; many recipients in one event.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { call, errorOf } from '../helpers/http.ts';
import { connect, quietFor } from '../helpers/ws-client.ts';

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry()));
afterAll(() => belfry.stop());

let n = 0;
const newUser = () => `content-${++n}-${Date.now()}`;
const idsOf = async (response: Response) => ((await response.json()) as { ids: string[] }).ids;
const listOf = async (userId: string, query = '') =>
  (await (await call(belfry.url, `/api/notifications${query}`, { token: await belfry.tokenFor(userId) })).json()) as Record<string, unknown>[];

const rich = {
  title: 'Ada replied',
  url: 'https://app.example/threads/9#c-1',
  actor: { id: 'u-ada', name: 'Ada Lovelace', avatar_url: 'https://cdn.example/ada.png' },
  actions: [
    { label: 'Open', url: '/threads/9' },
    { label: 'Mute thread', url: 'http://app.example/threads/9/mute' },
  ],
  category: 'comments.reply',
  data: { thread: 9, tags: ['a', 'b'], nested: { ok: true, n: null } },
};

describe('content fields', () => {
  test('accepted, stored, listed, exported and pushed as sent', async () => {
    const userId = newUser();
    const socket = await connect(belfry.wsUrl, await belfry.tokenFor(userId));
    const response = await belfry.ingest({ user_id: userId, type: 'comment', message: 'hi', ...rich });
    expect(response.status).toBe(201);
    const [id] = await idsOf(response);
    const frame = await socket.next((f) => f.type === 'NOTIFICATION');
    expect(frame.payload).toEqual({ id, type: 'comment', message: 'hi', created_at: expect.any(String), ...rich });
    const [item] = await listOf(userId);
    expect(item).toEqual({ ...frame.payload, read_at: null, seen_at: null, archived_at: null });
    const exported = (await (await call(belfry.url, `/api/users/${userId}/notifications/export`, { token: belfry.adminKey })).json()) as {
      notifications: Record<string, unknown>[];
    };
    expect(exported.notifications[0]).toEqual({ ...item, deleted_at: null, idempotency_key: null });
    socket.close();
  });

  test('data keeps its key order and values', async () => {
    const userId = newUser();
    const data = { z: 1, a: 2, m: [3, { y: 'é', b: 1.5 }], long_key_first: 'x' };
    await belfry.ingest({ user_id: userId, type: 't', message: 'm', data });
    const [item] = await listOf(userId);
    expect(JSON.stringify(item!.data)).toBe(JSON.stringify(data));
  });

  test('only the fields that are set appear', async () => {
    const userId = newUser();
    await belfry.ingest({ user_id: userId, type: 't', message: 'm', title: 'only a title' });
    const [item] = await listOf(userId);
    expect(Object.keys(item!).sort()).toEqual(['archived_at', 'created_at', 'id', 'message', 'read_at', 'seen_at', 'title', 'type']);
  });

  test('an event with only the original fields gets exactly the original push frame', async () => {
    const userId = newUser();
    const socket = await connect(belfry.wsUrl, await belfry.tokenFor(userId));
    const rawFrame = new Promise<string>((resolve) =>
      socket.ws.addEventListener('message', (event) => String(event.data).includes('"NOTIFICATION"') && resolve(String(event.data))),
    );
    const [id] = await idsOf(await belfry.ingest({ user_id: userId, type: 'comment', message: 'plain', idempotency_key: 'p-1' }));
    const raw = await rawFrame;
    const [row] = await belfry.sql<[{ created_at: Date }]>`select created_at from notifications where id = ${id!}`;
    expect(raw).toBe(JSON.stringify({ type: 'NOTIFICATION', payload: { id, type: 'comment', message: 'plain', created_at: row.created_at.toISOString() } }));
    socket.close();
  });

  test('links: absolute http(s) and paths on the host are accepted', async () => {
    for (const url of ['https://a.example', 'HTTPS://A.EXAMPLE/x', 'http://localhost:8080/p?q=1', '/', '/inbox?x=1#y', '/a/b%20c']) {
      const response = await belfry.ingest({ user_id: newUser(), type: 't', message: 'm', url, actions: [{ label: 'Go', url }] });
      expect(response.status, url).toBe(201);
    }
  });

  const hostile: Record<string, Record<string, unknown>> = {
    'javascript: url': { url: 'javascript:alert(1)' },
    'JavaScript: url, mixed case': { url: 'JaVaScRiPt:alert(1)' },
    'data: url': { url: 'data:text/html,<script>alert(1)</script>' },
    'protocol-relative url': { url: '//evil.example' },
    'backslash path': { url: '/\\evil.example' },
    'tab after the slash': { url: '/\t/evil.example' },
    'leading space': { url: ' https://a.example' },
    'newline inside': { url: 'https://a.example/\nx' },
    'ftp: url': { url: 'ftp://a.example/f' },
    'https without slashes': { url: 'https:evil.example' },
    'credentials in the url': { url: 'https://good.example@evil.example/' },
    'relative path without slash': { url: 'threads/9' },
    'url too long': { url: `https://a.example/${'x'.repeat(2100)}` },
    'empty url': { url: '' },
    'javascript: in an action': { actions: [{ label: 'x', url: 'javascript:alert(1)' }] },
    '//evil in an action': { actions: [{ label: 'x', url: '//evil.example' }] },
    'three actions': { actions: [1, 2, 3].map((i) => ({ label: `a${i}`, url: '/x' })) },
    'action with an extra key': { actions: [{ label: 'x', url: '/x', style: 'danger' }] },
    'action without a label': { actions: [{ url: '/x' }] },
    'avatar as a path': { actor: { name: 'A', avatar_url: '/a.png' } },
    'avatar as javascript:': { actor: { name: 'A', avatar_url: 'javascript:alert(1)' } },
    'avatar as data:': { actor: { name: 'A', avatar_url: 'data:image/png;base64,AAAA' } },
    'actor without a name': { actor: { id: 'x' } },
    'actor with an extra key': { actor: { name: 'A', email: 'a@example.com' } },
    'title too long': { title: 't'.repeat(201) },
    'title with a newline': { title: 'a\nb' },
    'title null': { title: null },
    'category with a space': { category: 'a b' },
    'category starting with a dot': { category: '.a' },
    'category too long': { category: 'c'.repeat(65) },
    'data an array': { data: [1, 2] },
    'data a string': { data: 'x' },
    'data null': { data: null },
    'data of 5 KiB': { data: { blob: 'x'.repeat(5 * 1024) } },
    'data nested 40 deep': { data: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) },
    'data with a lone surrogate': { data: { s: '\ud800' } },
    'data with NUL': { data: { s: 'a\u0000b' } },
    'unknown body key': { priority: 'high' },
  };
  for (const [kind, fields] of Object.entries(hostile)) {
    test(`${kind} → 400 validation_failed, nothing stored`, async () => {
      const userId = newUser();
      const response = await belfry.ingest({ user_id: userId, type: 't', message: 'm', ...fields });
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('validation_failed');
      expect(error.details!.length).toBeGreaterThan(0);
      const [{ count }] = await belfry.sql<[{ count: number }]>`select count(*)::int as count from notifications where user_id = ${userId}`;
      expect(count).toBe(0);
    });
  }

  test('data of exactly 4 KiB is accepted', async () => {
    const shell = JSON.stringify({ blob: '' }).length;
    const response = await belfry.ingest({ user_id: newUser(), type: 't', message: 'm', data: { blob: 'x'.repeat(4096 - shell) } });
    expect(response.status).toBe(201);
  });
});

describe('many recipients', () => {
  test('user_ids: one row per user, ids in the order of user_ids, one commit, each pushed to its own user', async () => {
    const users = [newUser(), newUser(), newUser()];
    const sockets = await Promise.all(users.map(async (userId) => connect(belfry.wsUrl, await belfry.tokenFor(userId))));
    const response = await belfry.ingest({ user_ids: users, type: 'announce', message: 'to all', title: 'Hello' });
    expect(response.status).toBe(201);
    const ids = await idsOf(response);
    expect(ids).toHaveLength(3);
    const rows = await belfry.sql<{ id: string; user_id: string; xmin: string }[]>`
      select id, user_id, xmin::text from notifications where id in ${belfry.sql(ids)}
    `;
    const byId = new Map(rows.map((row) => [row.id, row]));
    ids.forEach((id, index) => expect(byId.get(id)!.user_id).toBe(users[index]!));
    expect(new Set(rows.map((row) => row.xmin)).size).toBe(1);
    for (const [index, socket] of sockets.entries()) {
      const frame = await socket.next((f) => f.type === 'NOTIFICATION');
      expect(frame.payload.id).toBe(ids[index]);
      expect(frame.payload.title).toBe('Hello');
      expect((await quietFor(socket, 100)).filter((f) => f.type === 'NOTIFICATION')).toEqual([]);
      socket.close();
    }
  });

  test('idempotency holds per (user, key): a repeat returns the same ids; a new user in the list gets a new row', async () => {
    const [a, b, c] = [newUser(), newUser(), newUser()];
    const first = await idsOf(await belfry.ingest({ user_ids: [a, b], type: 't', message: 'm', idempotency_key: 'launch' }));
    const again = await idsOf(await belfry.ingest({ user_ids: [a, b], type: 't', message: 'changed', idempotency_key: 'launch' }));
    expect(again).toEqual(first);
    const wider = await idsOf(await belfry.ingest({ user_ids: [c, b, a], type: 't', message: 'm', idempotency_key: 'launch' }));
    expect(wider.slice(1)).toEqual([first[1]!, first[0]!]);
    expect(first).not.toContain(wider[0]!);
    // The key is per user: a single event for `a` with the key finds the row the fan-out made.
    expect(await idsOf(await belfry.ingest({ user_id: a, type: 't', message: 'm', idempotency_key: 'launch' }))).toEqual([first[0]!]);
    const [{ count }] = await belfry.sql<[{ count: number }]>`
      select count(*)::int as count from notifications where user_id in ${belfry.sql([a, b, c])}
    `;
    expect(count).toBe(3);
  });

  test('a batch mixing single and many-user events: ids in order of expansion', async () => {
    const [a, b, c] = [newUser(), newUser(), newUser()];
    const ids = await idsOf(
      await belfry.ingest({ events: [{ user_id: a, type: 't', message: 'one' }, { user_ids: [b, c], type: 't', message: 'two' }, { user_id: a, type: 't', message: 'three' }] }),
    );
    const rows = await belfry.sql<{ id: string; user_id: string; message: string }[]>`select id, user_id, message from notifications where id in ${belfry.sql(ids)}`;
    const byId = new Map(rows.map((row) => [row.id, `${row.user_id}:${row.message}`]));
    expect(ids.map((id) => byId.get(id))).toEqual([`${a}:one`, `${b}:two`, `${c}:two`, `${a}:three`]);
  });

  test('1000 recipients are accepted', async () => {
    const users = Array.from({ length: 1000 }, (_, i) => `fan-${i}-${Date.now()}`);
    const response = await belfry.ingest({ user_ids: users, type: 't', message: 'm' });
    expect(response.status).toBe(201);
    expect(new Set(await idsOf(response)).size).toBe(1000);
  });

  const tooMany = Array.from({ length: 1001 }, (_, i) => `many-${i}`);
  const rejected: Record<string, unknown> = {
    '1001 recipients': { user_ids: tooMany, type: 't', message: 'm' },
    'a batch expanding past 1000 rows': { events: [{ user_ids: tooMany.slice(0, 600), type: 't', message: 'm' }, { user_ids: tooMany.slice(600), type: 't', message: 'm' }] },
    'a repeated recipient': { user_ids: ['a', 'b', 'a'], type: 't', message: 'm' },
    'user_id and user_ids together': { user_id: 'a', user_ids: ['b'], type: 't', message: 'm' },
    'neither user_id nor user_ids': { type: 't', message: 'm' },
    'empty user_ids': { user_ids: [], type: 't', message: 'm' },
    'an invalid recipient': { user_ids: ['ok', 'bad\u0001'], type: 't', message: 'm' },
  };
  for (const [kind, body] of Object.entries(rejected)) {
    test(`${kind} → 400 validation_failed naming the field, nothing stored`, async () => {
      const [{ before }] = await belfry.sql<[{ before: number }]>`select count(*)::int as before from notifications`;
      const response = await belfry.ingest(body);
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('validation_failed');
      expect(error.details!.some((detail) => /user_id|events/.test(detail.path))).toBe(true);
      const [{ after }] = await belfry.sql<[{ after: number }]>`select count(*)::int as after from notifications`;
      expect(after).toBe(before);
    });
  }
});
