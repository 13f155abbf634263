/**
 * Long-lived sockets: tokens expire (4001) unless refreshed in-band with AUTH; AUTH for another user closes (4003);
 * sockets per user are capped (429); RESUME sends what was missed or RESYNC; shutdown says RECONNECT and closes 1012.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { connect } from '../helpers/ws-client.ts';
import { call } from '../helpers/http.ts';

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry({ env: { MAX_SOCKETS_PER_USER: '3' } })));
afterAll(() => belfry.stop());

let n = 0;
const newUser = () => `life-${++n}-${Date.now()}`;
const ingestFor = async (userId: string, count: number) => {
  const response = await belfry.ingest({ events: Array.from({ length: count }, (_, i) => ({ user_id: userId, type: 't', message: `m${i}` })) });
  return ((await response.json()) as { ids: string[] }).ids;
};

describe('token expiry', () => {
  test('the socket is closed with 4001 when its token expires', async () => {
    const socket = await connect(belfry.wsUrl, await belfry.tokenFor(newUser(), { expiresInSeconds: 1 }));
    // The close is the event; the sleep only bounds the wait (expiry after 1 s, a sweep every second).
    const closed = await Promise.race([socket.closed, Bun.sleep(4000).then(() => undefined)]);
    expect(closed?.code).toBe(4001);
  });

  test('AUTH with a fresh token for the same user keeps it open past the old expiry', async () => {
    const userId = newUser();
    const socket = await connect(belfry.wsUrl, await belfry.tokenFor(userId, { expiresInSeconds: 1 }));
    const fresh = await belfry.tokenFor(userId, { expiresInSeconds: 600 });
    socket.ws.send(JSON.stringify({ type: 'AUTH', payload: { token: fresh } }));
    const authed = await socket.next((f) => f.type === 'AUTHED');
    expect(authed.payload.exp).toBeGreaterThan(Date.now() / 1000 + 500);
    // This wait is the thing under test: the socket outlives its first token's expiry (1 s) and a sweep after it.
    const closed = await Promise.race([socket.closed, Bun.sleep(2500).then(() => 'still open')]);
    expect(closed).toBe('still open');
    await ingestFor(userId, 1);
    await socket.next((f) => f.type === 'NOTIFICATION');
    socket.close();
  });

  test('AUTH with a token for another user closes with 4003', async () => {
    const socket = await connect(belfry.wsUrl, await belfry.tokenFor(newUser()));
    socket.ws.send(JSON.stringify({ type: 'AUTH', payload: { token: await belfry.tokenFor('someone-else') } }));
    expect((await socket.closed).code).toBe(4003);
  });

  test('AUTH with a bad token is an ERROR and changes nothing', async () => {
    const socket = await connect(belfry.wsUrl, await belfry.tokenFor(newUser()));
    socket.ws.send(JSON.stringify({ type: 'AUTH', payload: { token: 'not-a-token' } }));
    expect((await socket.next((f) => f.type === 'ERROR')).payload.code).toBe('invalid_token');
    socket.ws.send(JSON.stringify({ type: 'PING' }));
    await socket.next((f) => f.type === 'PONG');
    socket.close();
  });
});

describe('sockets per user', () => {
  test('past the cap the upgrade is refused with 429 too_many_connections', async () => {
    const userId = newUser();
    const token = await belfry.tokenFor(userId);
    const open = await Promise.all([1, 2, 3].map(() => connect(belfry.wsUrl, token)));
    const response = await fetch(`${belfry.url}/ws?token=${token}`, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    expect(response.status).toBe(429);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('too_many_connections');
    open[0]!.close();
    await open[0]!.closed;
    const again = await connect(belfry.wsUrl, token);
    again.close();
    for (const socket of open.slice(1)) socket.close();
  });
});

describe('RESUME', () => {
  test('sends the unread notifications after the given one, oldest first, then RESUMED', async () => {
    const userId = newUser();
    const token = await belfry.tokenFor(userId);
    const [seen, ...missed] = await ingestFor(userId, 4);
    await call(belfry.url, '/api/notifications/read', { token, body: { id: missed[0] } });
    const socket = await connect(belfry.wsUrl, token);
    socket.ws.send(JSON.stringify({ type: 'RESUME', payload: { after: seen } }));
    const resumed = await socket.next((f) => f.type === 'RESUMED');
    const sent = socket.all('NOTIFICATION').map((f) => f.payload.id);
    // The overlap window may resend rows around the anchor; the client drops ids it has. Here: only unread ones.
    expect(sent).toEqual([missed[1], missed[2]]);
    expect(resumed.payload).toEqual({ count: 2, unread_count: 3 });
    socket.close();
  });

  test('an unknown position is a RESYNC', async () => {
    const socket = await connect(belfry.wsUrl, await belfry.tokenFor(newUser()));
    socket.ws.send(JSON.stringify({ type: 'RESUME', payload: { after: '999999999' } }));
    expect(await socket.next((f) => f.type === 'RESYNC')).toEqual({ type: 'RESYNC', payload: { reason: 'unknown_position' } });
    socket.close();
  });

  test('a gap larger than the bound is a RESYNC, never a silent hole', async () => {
    const userId = newUser();
    const [anchor] = await ingestFor(userId, 1);
    await ingestFor(userId, 250);
    // Once the outbox is empty no relay can publish these rows again, live, to the socket opened next.
    const deadline = Date.now() + 5000;
    while ((await belfry.sql<[{ n: number }]>`select count(*)::int as n from notification_outbox`)[0].n > 0) {
      if (Date.now() > deadline) throw new Error('the outbox was not emptied within 5 s');
      await Bun.sleep(20);
    }
    const socket = await connect(belfry.wsUrl, await belfry.tokenFor(userId));
    socket.ws.send(JSON.stringify({ type: 'RESUME', payload: { after: anchor } }));
    expect(await socket.next((f) => f.type === 'RESYNC')).toEqual({ type: 'RESYNC', payload: { reason: 'gap_too_large' } });
    expect(socket.all('NOTIFICATION')).toEqual([]);
    socket.close();
  });
});

describe('shutdown', () => {
  test('every socket gets RECONNECT with a delay, then close 1012', async () => {
    const other = await startBelfry();
    const socket = await connect(other.wsUrl, await other.tokenFor('leaving'));
    await other.process.stop({ reconnectSpreadMs: 3000, timeoutMs: 1000, drainMs: 0 });
    const reconnect = await socket.next((f) => f.type === 'RECONNECT');
    expect(reconnect.payload.after_ms).toBeGreaterThanOrEqual(0);
    expect(reconnect.payload.after_ms).toBeLessThan(3000);
    expect((await socket.closed).code).toBe(1012);
    await other.stop().catch(() => {});
  });
});
