/**
 * Contract: the states a user controls (unread, seen, archived, deleted), the list's status and category filters,
 * the badge with `unseen`, CHANGED frames to the user's other tabs only, and an exact count under concurrency.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { call, errorOf } from '../helpers/http.ts';
import { connect, quietFor } from '../helpers/ws-client.ts';

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry()));
afterAll(() => belfry.stop());

let n = 0;
/** A fresh user with `count` notifications (category `c<i mod 2>`), oldest first. */
async function userWith(count: number) {
  const userId = `states-${++n}-${Date.now()}`;
  const events = Array.from({ length: count }, (_, i) => ({ user_id: userId, type: 't', message: `s${i}`, category: `c${i % 2}` }));
  const ids = count ? ((await (await belfry.ingest({ events })).json()) as { ids: string[] }).ids : [];
  return { userId, token: await belfry.tokenFor(userId), ids };
}

const post = (token: string, path: string, body: unknown) => call(belfry.url, `/api/notifications/${path}`, { token, body });
const remove = (token: string, id: string) => call(belfry.url, `/api/notifications/${encodeURIComponent(id)}`, { token, method: 'DELETE' });
const badge = async (token: string) => (await (await call(belfry.url, '/api/notifications/unread-count', { token })).json()) as { count: number; unseen: number };
const listIds = async (token: string, query = '') =>
  ((await (await call(belfry.url, `/api/notifications${query}`, { token })).json()) as { id: string }[]).map((item) => item.id);
const newestFirst = (ids: string[]) => [...ids].sort((a, b) => Number(b) - Number(a));

describe('unread', () => {
  test('a read notification becomes unread again; 204, idempotent, counted again', async () => {
    const { token, ids } = await userWith(2);
    await post(token, 'read', { id: ids[0] });
    expect((await badge(token)).count).toBe(1);
    for (let i = 0; i < 2; i++) expect((await post(token, 'unread', { id: ids[0] })).status).toBe(204);
    expect((await badge(token)).count).toBe(2);
    expect(await listIds(token)).toEqual(newestFirst(ids));
  });
});

describe('seen', () => {
  test('unseen counts unread notifications never seen; seeing does not read', async () => {
    const { token, ids } = await userWith(3);
    expect(await badge(token)).toEqual({ count: 3, unseen: 3 });
    expect((await post(token, 'seen', { ids: [ids[0], ids[1]] })).status).toBe(204);
    expect(await badge(token)).toEqual({ count: 3, unseen: 1 });
    await post(token, 'read', { id: ids[2] });
    expect(await badge(token)).toEqual({ count: 2, unseen: 0 });
    const items = (await (await call(belfry.url, '/api/notifications', { token })).json()) as { id: string; seen_at: string | null }[];
    expect(items.every((item) => item.seen_at?.endsWith('Z'))).toBe(true);
  });
});

describe('archive', () => {
  test('archived: out of unread, read and all, listed under archived; unarchive brings it back', async () => {
    const { token, ids } = await userWith(3);
    await post(token, 'read', { id: ids[1] });
    expect((await post(token, 'archive', { ids: [ids[0], ids[1]] })).status).toBe(204);
    expect(await listIds(token)).toEqual([ids[2]!]);
    expect(await listIds(token, '?status=all')).toEqual([ids[2]!]);
    expect(await listIds(token, '?status=read')).toEqual([]);
    expect(await listIds(token, '?status=archived')).toEqual([ids[1]!, ids[0]!]);
    expect((await badge(token)).count).toBe(1);
    const [archived] = (await (await call(belfry.url, '/api/notifications?status=archived', { token })).json()) as { archived_at: string | null }[];
    expect(archived!.archived_at).toMatch(/Z$/);
    expect((await post(token, 'unarchive', { ids: [ids[0]] })).status).toBe(204);
    expect(await listIds(token)).toEqual([ids[2]!, ids[0]!]);
    expect((await badge(token)).count).toBe(2);
  });

  test('duplicate ids count once: one CHANGED id, an exact count', async () => {
    const { token, ids } = await userWith(2);
    const socket = await connect(belfry.wsUrl, token);
    expect((await post(token, 'archive', { ids: [ids[0], ids[0], ids[0]] })).status).toBe(204);
    const frame = await socket.next((f) => f.type === 'CHANGED');
    expect(frame).toEqual({ type: 'CHANGED', payload: { change: 'archived', ids: [ids[0]], unread_count: 1 } });
    socket.close();
  });

  for (const [kind, body] of [
    ['no ids', {}],
    ['empty ids', { ids: [] }],
    ['101 ids', { ids: Array.from({ length: 101 }, (_, i) => String(i + 1)) }],
    ['ids not strings', { ids: [1] }],
    ['id instead of ids', { id: '1' }],
    ['an extra key', { ids: ['1'], all: true }],
  ] as const) {
    test(`${kind} → 400 validation_failed`, async () => {
      const response = await post(await belfry.tokenFor('x'), 'archive', body);
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('validation_failed');
    });
  }
});

describe('delete', () => {
  test('gone from every list and count; a repeat is 204; other states then 404; export still has it, marked', async () => {
    const { userId, token, ids } = await userWith(2);
    expect((await remove(token, ids[0]!)).status).toBe(204);
    expect((await remove(token, ids[0]!)).status).toBe(204);
    for (const status of ['unread', 'read', 'all', 'archived']) expect(await listIds(token, `?status=${status}`)).not.toContain(ids[0]!);
    expect(await badge(token)).toEqual({ count: 1, unseen: 1 });
    for (const [path, body] of [['read', { id: ids[0] }], ['unread', { id: ids[0] }], ['archive', { ids: [ids[0]] }], ['seen', { ids: [ids[0]] }]] as const) {
      expect((await post(token, path, body)).status).toBe(404);
    }
    const exported = (await (await call(belfry.url, `/api/users/${userId}/notifications/export`, { token: belfry.adminKey })).json()) as {
      notifications: { id: string; deleted_at: string | null }[];
    };
    expect(exported.notifications.find((item) => item.id === ids[0])!.deleted_at).toMatch(/Z$/);
  });

  test('a sender retry with the same idempotency key does not bring a deleted notification back', async () => {
    const userId = `states-retry-${Date.now()}`;
    const event = { user_id: userId, type: 't', message: 'm', idempotency_key: 'once' };
    const [id] = ((await (await belfry.ingest(event)).json()) as { ids: string[] }).ids;
    const token = await belfry.tokenFor(userId);
    await remove(token, id!);
    const again = ((await (await belfry.ingest(event)).json()) as { ids: string[] }).ids;
    expect(again).toEqual([id!]);
    expect(await listIds(token, '?status=all')).toEqual([]);
  });

  test('malformed ids → 404', async () => {
    const token = await belfry.tokenFor('x');
    for (const id of ['0', 'abc', '99999999999999999999', '1e3']) expect((await remove(token, id)).status).toBe(404);
  });
});

describe('another user', () => {
  test('someone else’s id on every state route → 404, nothing changes, no frame', async () => {
    const alice = await userWith(2);
    const bob = await userWith(1);
    const aliceSocket = await connect(belfry.wsUrl, alice.token);
    await post(alice.token, 'read', { id: alice.ids[1] });
    await aliceSocket.next((f) => f.type === 'READ');
    const [before] = await belfry.sql`select read_at, seen_at, archived_at, deleted_at from notifications where id = ${alice.ids[0]!}`;
    const attempts = [
      () => post(bob.token, 'read', { id: alice.ids[0] }),
      () => post(bob.token, 'unread', { id: alice.ids[1] }),
      () => post(bob.token, 'seen', { ids: [alice.ids[0]] }),
      () => post(bob.token, 'archive', { ids: [alice.ids[0]] }),
      () => post(bob.token, 'unarchive', { ids: [alice.ids[0]] }),
      // One of the caller's own ids beside a foreign one: all or nothing.
      () => post(bob.token, 'archive', { ids: [bob.ids[0], alice.ids[0]] }),
      () => remove(bob.token, alice.ids[0]!),
    ];
    for (const attempt of attempts) {
      const response = await attempt();
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe('not_found');
    }
    const [after] = await belfry.sql`select read_at, seen_at, archived_at, deleted_at from notifications where id = ${alice.ids[0]!}`;
    expect(after).toEqual(before!);
    expect(await listIds(bob.token)).toEqual([bob.ids[0]!]);
    expect((await quietFor(aliceSocket, 150)).filter((f) => f.type === 'CHANGED' || f.type === 'READ')).toEqual([]);
    aliceSocket.close();
  });
});

describe('CHANGED frames', () => {
  test('each change reaches a second socket of the same user with the ids and the count, and no other user', async () => {
    const { token, ids } = await userWith(3);
    const other = await userWith(1);
    const [tabA, tabB, otherSocket] = await Promise.all([connect(belfry.wsUrl, token), connect(belfry.wsUrl, token), connect(belfry.wsUrl, other.token)]);
    const steps: [() => Promise<Response>, unknown][] = [
      [() => post(token, 'seen', { ids: [ids[0], ids[1]] }), { change: 'seen', ids: [ids[0], ids[1]], unread_count: 3 }],
      [() => post(token, 'archive', { ids: [ids[2]] }), { change: 'archived', ids: [ids[2]], unread_count: 2 }],
      [() => post(token, 'unarchive', { ids: [ids[2]] }), { change: 'unarchived', ids: [ids[2]], unread_count: 3 }],
      [() => post(token, 'read', { id: ids[1] }), undefined],
      [() => post(token, 'unread', { id: ids[1] }), { change: 'unread', ids: [ids[1]], unread_count: 3 }],
      [() => remove(token, ids[0]!), { change: 'deleted', ids: [ids[0]], unread_count: 2 }],
    ];
    for (const [act, payload] of steps) {
      expect((await act()).status).toBe(204);
      for (const tab of [tabA, tabB]) {
        if (payload) expect(await tab.next((f) => f.type === 'CHANGED')).toEqual({ type: 'CHANGED', payload });
        else expect(await tab.next((f) => f.type === 'READ')).toEqual({ type: 'READ', payload: { ids: [ids[1]], unread_count: 2 } });
      }
    }
    // A repeat changes nothing and sends nothing.
    await post(token, 'archive', { ids: [ids[1]] });
    await tabB.next((f) => f.type === 'CHANGED');
    await post(token, 'archive', { ids: [ids[1]] });
    expect((await quietFor(tabB, 150)).filter((f) => f.type === 'CHANGED')).toEqual([]);
    expect(otherSocket.frames.filter((f) => f.type === 'CHANGED' || f.type === 'READ')).toEqual([]);
    for (const socket of [tabA, tabB, otherSocket]) socket.close();
  });
});

describe('list filters', () => {
  test('category filters every status; the Link header keeps it', async () => {
    const { token, ids } = await userWith(6);
    const c0 = ids.filter((_, i) => i % 2 === 0);
    expect(await listIds(token, '?category=c0')).toEqual(newestFirst(c0));
    const first = await call(belfry.url, '/api/notifications?category=c0&limit=2&status=all', { token });
    expect(first.headers.get('link')).toContain('category=c0');
    const cursor = first.headers.get('x-next-cursor')!;
    expect(await listIds(token, `?category=c0&limit=2&status=all&cursor=${cursor}`)).toEqual([c0[0]!]);
    expect(await listIds(token, '?category=none')).toEqual([]);
  });

  test('status=read lists only read ones', async () => {
    const { token, ids } = await userWith(3);
    await post(token, 'read', { id: ids[1] });
    expect(await listIds(token, '?status=read')).toEqual([ids[1]!]);
  });
});

describe('concurrency', () => {
  test('concurrent mark-unread and read-all: every frame count is the count right after its change, and the end count is exact', async () => {
    const { token, ids } = await userWith(20);
    const socket = await connect(belfry.wsUrl, token);
    await post(token, 'read-all', {});
    await socket.next((f) => f.type === 'READ');
    const calls: Promise<Response>[] = [];
    for (let round = 0; round < 3; round++) {
      for (const id of ids) calls.push(post(token, 'unread', { id }));
      calls.push(call(belfry.url, '/api/notifications/read-all', { token, method: 'POST' }));
    }
    for (const response of await Promise.all(calls)) expect(response.status).toBe(204);
    const [{ exact }] = await belfry.sql<[{ exact: number }]>`
      select count(*)::int as exact from notifications where id in ${belfry.sql(ids)} and read_at is null
    `;
    expect((await badge(token)).count).toBe(exact);
    // Replaying the frames in order on a local copy of the read state gives, after each frame, the count it carries.
    await Bun.sleep(300);
    const unread = new Set<string>();
    for (const frame of socket.frames.slice(socket.frames.findIndex((f) => f.type === 'READ') + 1)) {
      if (frame.type === 'READ') for (const id of frame.payload.ids) unread.delete(id);
      else if (frame.type === 'CHANGED' && frame.payload.change === 'unread') for (const id of frame.payload.ids) unread.add(id);
      else continue;
      expect(frame.payload.unread_count).toBe(unread.size);
    }
    expect(unread.size).toBe(exact);
    socket.close();
  });
});
