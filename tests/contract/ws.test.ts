/**
 * Contract: the WebSocket messages: READY, NOTIFICATION (exact shape), READ, PING/PONG, ERROR, close codes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { checkResponsesAgainstOpenApi } from '../helpers/openapi-recorder.ts';
import { call } from '../helpers/http.ts';
import { connect, quietFor } from '../helpers/ws-client.ts';

checkResponsesAgainstOpenApi();

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry()));
afterAll(() => belfry.stop());

let n = 0;
const newUser = () => `ws-user-${++n}-${Date.now()}`;

describe('server → client', () => {
  test('READY first, with the user id', async () => {
    const userId = newUser();
    const socket = await connect(belfry.wsUrl, await belfry.tokenFor(userId));
    expect(socket.frames[0]).toEqual({ type: 'READY', payload: { user_id: userId } });
    socket.close();
  });

  test('NOTIFICATION: exactly { type, payload: { id, type, message, created_at } } to every socket of the user', async () => {
    const userId = newUser();
    const token = await belfry.tokenFor(userId);
    const [tabA, tabB] = await Promise.all([connect(belfry.wsUrl, token), connect(belfry.wsUrl, token)]);
    const response = await belfry.ingest({ user_id: userId, type: 'comment', message: 'Ada replied', idempotency_key: 'k' });
    const { ids } = (await response.json()) as { ids: string[] };
    const [row] = await belfry.sql`select created_at from notifications where id = ${ids[0]!}`;
    const expected = {
      type: 'NOTIFICATION',
      payload: { id: ids[0], type: 'comment', message: 'Ada replied', created_at: (row!.created_at as Date).toISOString() },
    };
    for (const tab of [tabA, tabB]) {
      const frame = await tab.next((f) => f.type === 'NOTIFICATION');
      expect(frame).toEqual(expected);
      expect(Object.keys(frame.payload).sort()).toEqual(['created_at', 'id', 'message', 'type']);
    }
    // A repeat of the idempotency key creates nothing, so nothing is pushed.
    await belfry.ingest({ user_id: userId, type: 'comment', message: 'Ada replied', idempotency_key: 'k' });
    expect((await quietFor(tabA, 150)).filter((f) => f.type === 'NOTIFICATION')).toEqual([]);
    tabA.close();
    tabB.close();
  });

  test('a batch pushes each notification once, in request order', async () => {
    const userId = newUser();
    const socket = await connect(belfry.wsUrl, await belfry.tokenFor(userId));
    const response = await belfry.ingest({ events: Array.from({ length: 20 }, (_, i) => ({ user_id: userId, type: 't', message: `b${i}` })) });
    const { ids } = (await response.json()) as { ids: string[] };
    const received: string[] = [];
    for (let i = 0; i < 20; i++) received.push((await socket.next((f) => f.type === 'NOTIFICATION')).payload.id);
    expect(received).toEqual(ids);
    socket.close();
  });

  test('READ after a read: the id and the new unread count, to every tab', async () => {
    const userId = newUser();
    const token = await belfry.tokenFor(userId);
    const { ids } = (await (await belfry.ingest({ events: [1, 2, 3].map((i) => ({ user_id: userId, type: 't', message: `r${i}` })) })).json()) as {
      ids: string[];
    };
    const [tabA, tabB] = await Promise.all([connect(belfry.wsUrl, token), connect(belfry.wsUrl, token)]);
    await call(belfry.url, '/api/notifications/read', { token, body: { id: ids[1] } });
    for (const tab of [tabA, tabB]) {
      expect(await tab.next((f) => f.type === 'READ')).toEqual({ type: 'READ', payload: { ids: [ids[1]], unread_count: 2 } });
    }
    // Reading it again changes nothing, so no READ.
    await call(belfry.url, '/api/notifications/read', { token, body: { id: ids[1] } });
    expect((await quietFor(tabA, 150)).filter((f) => f.type === 'READ')).toEqual([]);
    tabA.close();
    tabB.close();
  });

  test('READ after read-all: exactly the ids that changed, count 0', async () => {
    const userId = newUser();
    const token = await belfry.tokenFor(userId);
    const { ids } = (await (await belfry.ingest({ events: [1, 2, 3].map((i) => ({ user_id: userId, type: 't', message: `a${i}` })) })).json()) as {
      ids: string[];
    };
    await call(belfry.url, '/api/notifications/read', { token, body: { id: ids[0] } });
    const socket = await connect(belfry.wsUrl, token);
    await call(belfry.url, '/api/notifications/read-all', { token, method: 'POST' });
    // The single read's own READ travels through Redis and may reach the new socket first: wait for read-all's.
    const frame = await socket.next((f) => f.type === 'READ' && f.payload.unread_count === 0);
    expect([...frame.payload.ids].sort()).toEqual([ids[1], ids[2]].sort());
    expect(frame.payload.unread_count).toBe(0);
    socket.close();
  });

  test('another user’s notifications and reads never arrive', async () => {
    const alice = newUser();
    const bob = newUser();
    const bobSocket = await connect(belfry.wsUrl, await belfry.tokenFor(bob));
    const { ids } = (await (await belfry.ingest({ user_id: alice, type: 't', message: 'for alice only' })).json()) as { ids: string[] };
    await call(belfry.url, '/api/notifications/read', { token: await belfry.tokenFor(alice), body: { id: ids[0] } });
    await belfry.ingest({ user_id: bob, type: 't', message: 'for bob' });
    const frame = await bobSocket.next((f) => f.type !== 'READY');
    expect(frame.payload.message).toBe('for bob');
    expect(bobSocket.frames.some((f) => JSON.stringify(f).includes('alice'))).toBe(false);
    bobSocket.close();
  });
});

describe('client → server', () => {
  test('PING → PONG', async () => {
    const socket = await connect(belfry.wsUrl, await belfry.tokenFor(newUser()));
    socket.ws.send(JSON.stringify({ type: 'PING' }));
    expect(await socket.next((f) => f.type === 'PONG')).toEqual({ type: 'PONG' });
    // The panel's exact bytes take a short path; any other spelling of the same frame is parsed and answered alike.
    socket.ws.send(' { "type" : "PING" } ');
    expect(await socket.next((f) => f.type === 'PONG')).toEqual({ type: 'PONG' });
    expect(socket.all('PONG')).toHaveLength(2);
    socket.close();
  });

  test('a malformed frame → ERROR invalid_frame, socket stays open', async () => {
    const socket = await connect(belfry.wsUrl, await belfry.tokenFor(newUser()));
    for (const bad of ['not json', '{"type":"NOPE"}', '[]', 'null', '{"type":"PING","extra":1}']) {
      socket.ws.send(bad);
      expect(await socket.next((f) => f.type === 'ERROR')).toEqual({
        type: 'ERROR',
        payload: { code: 'invalid_frame', message: 'Unknown or malformed frame' },
      });
    }
    socket.ws.send(JSON.stringify({ type: 'PING' }));
    await socket.next((f) => f.type === 'PONG');
    socket.close();
  });

  test('10 bad frames close the socket with 1008', async () => {
    const socket = await connect(belfry.wsUrl, await belfry.tokenFor(newUser()));
    for (let i = 0; i < 10; i++) socket.ws.send('bad');
    expect((await socket.closed).code).toBe(1008);
  });

  test('a frame over 4 KiB closes the socket (1009)', async () => {
    const socket = await connect(belfry.wsUrl, await belfry.tokenFor(newUser()));
    socket.ws.send(JSON.stringify({ type: 'PING', pad: 'x'.repeat(8192) }));
    expect((await socket.closed).code).toBe(1009);
  });
});
