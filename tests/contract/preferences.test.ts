/**
 * Contract: /api/preferences: mutes by category and type. Muted notifications are stored and listed under
 * status=all, but not pushed, not in the inbox and not in the badge; unmuting brings them back without a migration.
 * Mutes travel between processes over the bus.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { call, errorOf } from '../helpers/http.ts';
import { connect, quietFor } from '../helpers/ws-client.ts';

let belfry: Belfry;
let second: Belfry;
beforeAll(async () => {
  belfry = await startBelfry();
  // A second process on the same database and Redis channel: mutes set on one hold on the other.
  second = await startBelfry({ database: belfry.database, redisPrefix: belfry.redisPrefix, jwtSecret: belfry.jwtSecret, ingestKey: belfry.ingestKey, adminKey: belfry.adminKey });
});
afterAll(async () => {
  await second.stop();
  await belfry.stop();
});

let n = 0;
const newUser = () => `prefs-${++n}-${Date.now()}`;
const put = (token: string, body: unknown, url = belfry.url) => call(url, '/api/preferences', { token, method: 'PUT', body });
const get = async (token: string) => (await (await call(belfry.url, '/api/preferences', { token })).json()) as { muted: { categories: string[]; types: string[] } };
const badge = async (token: string) => (await (await call(belfry.url, '/api/notifications/unread-count', { token })).json()) as { count: number; unseen: number };
const listIds = async (token: string, query = '') =>
  ((await (await call(belfry.url, `/api/notifications${query}`, { token })).json()) as { id: string }[]).map((item) => item.id);

describe('GET and PUT /api/preferences', () => {
  test('nothing muted by default; PUT replaces and answers the stored document; muting nothing removes the row', async () => {
    const userId = newUser();
    const token = await belfry.tokenFor(userId);
    expect(await get(token)).toEqual({ muted: { categories: [], types: [] } });
    const response = await put(token, { muted: { categories: ['digest', 'digest', 'social.likes'], types: ['marketing'] } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ muted: { categories: ['digest', 'social.likes'], types: ['marketing'] } });
    expect(await get(token)).toEqual({ muted: { categories: ['digest', 'social.likes'], types: ['marketing'] } });
    await put(token, { muted: { categories: [], types: [] } });
    const [{ count }] = await belfry.sql<[{ count: number }]>`select count(*)::int as count from notification_preferences where user_id = ${userId}`;
    expect(count).toBe(0);
  });

  const invalid: Record<string, unknown> = {
    'no muted': {},
    'muted without types': { muted: { categories: [] } },
    'a category that is not a key': { muted: { categories: ['a b'], types: [] } },
    'a type with a control character': { muted: { categories: [], types: ['a\u0001'] } },
    'a type too long': { muted: { categories: [], types: ['t'.repeat(65)] } },
    '101 categories': { muted: { categories: Array.from({ length: 101 }, (_, i) => `c${i}`), types: [] } },
    'an unknown key': { muted: { categories: [], types: [] }, email: true },
    'an unknown key inside muted': { muted: { categories: [], types: [], users: [] } },
    'categories not an array': { muted: { categories: 'digest', types: [] } },
  };
  for (const [kind, body] of Object.entries(invalid)) {
    test(`${kind} → 400 validation_failed, nothing stored`, async () => {
      const userId = newUser();
      const response = await put(await belfry.tokenFor(userId), body);
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('validation_failed');
      const [{ count }] = await belfry.sql<[{ count: number }]>`select count(*)::int as count from notification_preferences where user_id = ${userId}`;
      expect(count).toBe(0);
    });
  }

  test('needs a user token; POST → 405', async () => {
    expect((await call(belfry.url, '/api/preferences')).status).toBe(401);
    expect((await call(belfry.url, '/api/preferences', { token: belfry.ingestKey })).status).toBe(401);
    expect((await call(belfry.url, '/api/preferences', { token: await belfry.tokenFor('x'), body: {} })).status).toBe(405);
  });
});

describe('muting', () => {
  test('a muted category or type: stored, listed under all, not pushed, not in the inbox, not counted; unmuting restores', async () => {
    const userId = newUser();
    const token = await belfry.tokenFor(userId);
    await put(token, { muted: { categories: ['digest'], types: ['marketing'] } });
    // Sockets on both processes: one gets the local delivery, the other hears it over Redis.
    const [here, there] = await Promise.all([connect(belfry.wsUrl, token), connect(second.wsUrl, token)]);
    const ingest = async (fields: Record<string, unknown>) =>
      ((await (await belfry.ingest({ user_id: userId, type: 'news', message: 'm', ...fields })).json()) as { ids: string[] }).ids[0]!;
    const mutedByCategory = await ingest({ category: 'digest' });
    const mutedByType = await ingest({ type: 'marketing', category: 'promo' });
    const shown = await ingest({ category: 'comments' });
    for (const socket of [here, there]) {
      expect((await socket.next((f) => f.type === 'NOTIFICATION')).payload.id).toBe(shown);
      expect((await quietFor(socket, 150)).filter((f) => f.type === 'NOTIFICATION')).toEqual([]);
    }
    expect(await listIds(token)).toEqual([shown]);
    expect(await badge(token)).toEqual({ count: 1, unseen: 1 });
    expect(await listIds(token, '?status=all')).toEqual([shown, mutedByType, mutedByCategory]);
    expect(await listIds(token, '?category=digest&status=all')).toEqual([mutedByCategory]);

    // Unmuting: the rows come back as they were; the tabs are told to refetch.
    await put(token, { muted: { categories: [], types: [] } }, second.url);
    for (const socket of [here, there]) expect(await socket.next((f) => f.type === 'RESYNC')).toEqual({ type: 'RESYNC', payload: { reason: 'preferences_changed' } });
    expect(await listIds(token)).toEqual([shown, mutedByType, mutedByCategory]);
    expect(await badge(token)).toEqual({ count: 3, unseen: 3 });
    const next = await ingest({ category: 'digest' });
    for (const socket of [here, there]) expect((await socket.next((f) => f.type === 'NOTIFICATION')).payload.id).toBe(next);
    here.close();
    there.close();
  });

  test('a mute set on another process holds for sockets already open here', async () => {
    const userId = newUser();
    const token = await belfry.tokenFor(userId);
    const socket = await connect(belfry.wsUrl, token);
    await put(token, { muted: { categories: ['digest'], types: [] } }, second.url);
    await socket.next((f) => f.type === 'RESYNC');
    await belfry.ingest({ user_id: userId, type: 't', message: 'muted', category: 'digest' });
    await second.ingest({ user_id: userId, type: 't', message: 'muted too', category: 'digest' });
    await belfry.ingest({ user_id: userId, type: 't', message: 'shown' });
    expect((await socket.next((f) => f.type === 'NOTIFICATION')).payload.message).toBe('shown');
    expect((await quietFor(socket, 200)).filter((f) => f.type === 'NOTIFICATION')).toEqual([]);
    socket.close();
  });

  test('catch-up after RESUME leaves muted notifications out', async () => {
    const userId = newUser();
    const token = await belfry.tokenFor(userId);
    await put(token, { muted: { categories: [], types: ['noise'] } });
    const ingest = async (type: string) => ((await (await belfry.ingest({ user_id: userId, type, message: type })).json()) as { ids: string[] }).ids[0]!;
    const anchor = await ingest('t');
    await ingest('noise');
    const kept = await ingest('t');
    const socket = await connect(belfry.wsUrl, token);
    socket.ws.send(JSON.stringify({ type: 'RESUME', payload: { after: anchor } }));
    const resumed = await socket.next((f) => f.type === 'RESUMED');
    expect(socket.all('NOTIFICATION').map((f) => f.payload.id)).toEqual([kept]);
    expect(resumed.payload).toEqual({ count: 1, unread_count: 2 });
    socket.close();
  });
});
