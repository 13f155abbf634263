import { beforeEach, describe, expect, test } from 'bun:test';
import { createSocket } from '../../web/src/socket.ts';
import type { Frame, SocketStatus } from '../../web/src/types.ts';
import { FakeWebSocket, ManualTimers, settle } from './fakes.ts';

function setup(
  options: { random?: () => number; tokens?: string[]; renewable?: boolean; onUserChanged?: () => void } = {},
) {
  const timers = new ManualTimers();
  const frames: Frame[] = [];
  const statuses: SocketStatus[] = [];
  const tokens = options.tokens ?? ['t'];
  let calls = 0;
  const socket = createSocket({
    url: () => `ws://belfry/ws?token=${tokens[Math.min(calls++, tokens.length - 1)]}`,
    WebSocketImpl: FakeWebSocket,
    timers,
    random: options.random ?? (() => 1),
    baseDelayMs: 100,
    maxDelayMs: 1000,
    pingIntervalMs: 20_000,
    pongTimeoutMs: 5_000,
    renewable: () => options.renewable ?? true,
    ...(options.onUserChanged ? { onUserChanged: options.onUserChanged } : {}),
  });
  socket.onFrame((frame) => frames.push(frame));
  socket.onStatus((status) => statuses.push(status));
  const latest = () => FakeWebSocket.instances.at(-1)!;
  return { socket, timers, frames, statuses, latest };
}

/** Lets the async url() resolve so the WebSocket gets constructed. */
const connected = () => settle();

beforeEach(() => {
  FakeWebSocket.instances = [];
});

describe('createSocket', () => {
  test('connects, reports READY as open and passes frames on (PONG and unknown types are swallowed)', async () => {
    const { socket, frames, statuses, latest } = setup();
    socket.start();
    await connected();
    expect(latest().url).toBe('ws://belfry/ws?token=t');
    latest().open();
    latest().receive({ type: 'READY', payload: { user_id: 'alice' } });
    latest().receive({ type: 'PONG' });
    latest().receive({ type: 'SOMETHING_NEW', payload: {} });
    latest().receive({ type: 'READ', payload: { ids: ['1'], unread_count: 0 } });
    expect(socket.status()).toBe('open');
    expect(statuses).toEqual(['connecting', 'open']);
    expect(frames.map((frame) => frame.type)).toEqual(['READY', 'READ']);
  });

  test('reconnects after a drop with exponential backoff, capped', async () => {
    const { socket, timers, latest } = setup();
    socket.start();
    await connected();
    const delays: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      latest().drop();
      delays.push(...timers.pending());
      timers.advance(timers.pending()[0]!);
      await connected();
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(FakeWebSocket.instances).toHaveLength(7);
    expect(socket.status()).toBe('reconnecting');
  });

  test('uses full jitter: the delay is random() times the ceiling', async () => {
    const { socket, timers, latest } = setup({ random: () => 0.25 });
    socket.start();
    await connected();
    latest().drop();
    expect(timers.pending()).toEqual([25]);
  });

  test('READY resets the backoff; a fresh token is fetched for every attempt', async () => {
    const { socket, timers, latest } = setup({ tokens: ['a', 'b', 'c', 'd'] });
    socket.start();
    await connected();
    latest().drop();
    timers.advance(100);
    await connected();
    latest().drop();
    expect(timers.pending()).toEqual([200]);
    timers.advance(200);
    await connected();
    latest().open();
    latest().receive({ type: 'READY', payload: { user_id: 'alice' } });
    latest().drop();
    expect(timers.pending()).toEqual([100]);
    expect(FakeWebSocket.instances.map((ws) => ws.url.split('=')[1])).toEqual(['a', 'b', 'c']);
  });

  test('a policy close (1008) waits the full cap instead of retrying fast', async () => {
    const { socket, timers, latest } = setup();
    socket.start();
    await connected();
    latest().drop(1008);
    expect(timers.pending()).toEqual([1000]);
  });

  test('a silent connection (no PONG) is detected by the heartbeat and replaced', async () => {
    const { socket, timers, latest } = setup();
    socket.start();
    await connected();
    const first = latest();
    first.open();
    first.receive({ type: 'READY', payload: { user_id: 'alice' } });
    timers.advance(20_000);
    expect(first.sent).toEqual([JSON.stringify({ type: 'PING' })]);
    timers.advance(5_000);
    expect(first.closedByClient).toBe(true);
    expect(socket.status()).toBe('reconnecting');
    timers.advance(100);
    await connected();
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  test('an answered PING keeps the connection', async () => {
    const { socket, timers, latest } = setup();
    socket.start();
    await connected();
    latest().open();
    timers.advance(20_000);
    latest().receive({ type: 'PONG' });
    timers.advance(10_000);
    expect(latest().closedByClient).toBe(false);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  test('reconnectNow skips the backoff wait (the network came back)', async () => {
    const { socket, timers, latest } = setup();
    socket.start();
    await connected();
    for (let i = 0; i < 4; i += 1) {
      latest().drop();
      timers.advance(timers.pending()[0]!);
      await connected();
    }
    latest().drop();
    expect(timers.pending()).toEqual([1000]);
    socket.reconnectNow();
    await connected();
    expect(timers.pending()).toEqual([]);
    expect(FakeWebSocket.instances).toHaveLength(6);
  });

  test('check() pings an open socket with a short deadline (tab visible again)', async () => {
    const { socket, timers, latest } = setup();
    socket.start();
    await connected();
    latest().open();
    socket.check();
    expect(latest().sent).toEqual([JSON.stringify({ type: 'PING' })]);
    timers.advance(2_999);
    expect(latest().closedByClient).toBe(false);
    timers.advance(1);
    expect(latest().closedByClient).toBe(true);
  });

  test('stop() closes and never reconnects', async () => {
    const { socket, timers, latest } = setup();
    socket.start();
    await connected();
    latest().open();
    socket.stop();
    expect(latest().closedByClient).toBe(true);
    latest().drop();
    timers.advance(60_000);
    await connected();
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(socket.status()).toBe('closed');
  });
});

/** Opens the latest socket as far as READY (which resets the backoff). */
function ready(latest: () => FakeWebSocket) {
  latest().open();
  latest().receive({ type: 'READY', payload: { user_id: 'alice' } });
}

describe('createSocket: closes the server asks for', () => {
  test('RECONNECT before a 1012 close: the next attempt waits after_ms instead of the backoff, then backoff resumes', async () => {
    const { socket, timers, latest, frames } = setup();
    socket.start();
    await connected();
    ready(latest);
    latest().receive({ type: 'RECONNECT', payload: { after_ms: 700 } });
    latest().drop(1012);
    expect(frames.map((frame) => frame.type)).toEqual(['READY', 'RECONNECT']);
    expect(socket.status()).toBe('reconnecting');
    expect(timers.pending()).toEqual([700]);
    timers.advance(699);
    await connected();
    expect(FakeWebSocket.instances).toHaveLength(1);
    timers.advance(1);
    await connected();
    expect(FakeWebSocket.instances).toHaveLength(2);
    // The new process is not up yet: from here on the usual backoff, one step further along.
    latest().drop(1006);
    expect(timers.pending()).toEqual([200]);
  });

  test('RECONNECT with after_ms 0 reconnects at once; a huge after_ms is capped at the longest backoff', async () => {
    const { socket, timers, latest } = setup();
    socket.start();
    await connected();
    ready(latest);
    latest().receive({ type: 'RECONNECT', payload: { after_ms: 0 } });
    latest().drop(1012);
    expect(timers.pending()).toEqual([0]);
    timers.advance(0);
    await connected();
    ready(latest);
    latest().receive({ type: 'RECONNECT', payload: { after_ms: 86_400_000 } });
    latest().drop(1012);
    expect(timers.pending()).toEqual([1000]);
  });

  test('RECONNECT applies once: a later drop of the next socket backs off as usual', async () => {
    const { socket, timers, latest } = setup();
    socket.start();
    await connected();
    ready(latest);
    latest().receive({ type: 'RECONNECT', payload: { after_ms: 900 } });
    latest().drop(1012);
    timers.advance(900);
    await connected();
    ready(latest);
    latest().drop(1006);
    expect(timers.pending()).toEqual([100]);
  });

  test('a 1012 close without RECONNECT reconnects with the backoff', async () => {
    const { socket, timers, latest } = setup();
    socket.start();
    await connected();
    ready(latest);
    latest().drop(1012);
    expect(timers.pending()).toEqual([100]);
    timers.advance(100);
    await connected();
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  test('4008 (slow consumer) reconnects with the backoff, and READY on the new socket is passed on for the catch-up', async () => {
    const { socket, timers, latest, frames } = setup();
    socket.start();
    await connected();
    ready(latest);
    latest().drop(4008);
    expect(socket.status()).toBe('reconnecting');
    expect(timers.pending()).toEqual([100]);
    timers.advance(100);
    await connected();
    ready(latest);
    expect(socket.status()).toBe('open');
    expect(frames.filter((frame) => frame.type === 'READY')).toHaveLength(2);
  });

  test('4001 with a renewable token reconnects at once with a fresh token; a second 4001 in a row backs off', async () => {
    const { socket, timers, latest } = setup({ tokens: ['old', 'fresh', 'third'] });
    socket.start();
    await connected();
    ready(latest);
    latest().drop(4001);
    expect(timers.pending()).toEqual([0]);
    timers.advance(0);
    await connected();
    expect(latest().url).toBe('ws://belfry/ws?token=fresh');
    ready(latest);
    // The fresh token expired too without a refresh: the host's tokens are not fresh, so no tight loop.
    latest().drop(4001);
    expect(timers.pending()).toEqual([100]);
  });

  test('an AUTHED frame (a refresh that worked) re-arms the immediate reconnect on 4001', async () => {
    const { socket, timers, latest } = setup({ tokens: ['a', 'b', 'c'] });
    socket.start();
    await connected();
    ready(latest);
    latest().drop(4001);
    timers.advance(0);
    await connected();
    ready(latest);
    latest().receive({ type: 'AUTHED', payload: { exp: 2_000_000_000 } });
    latest().drop(4001);
    expect(timers.pending()).toEqual([0]);
  });

  test('4001 with a fixed token stops quietly as "expired": no retries, online does nothing, start() resumes', async () => {
    const { socket, timers, latest, statuses } = setup({ renewable: false, tokens: ['fixed', 'replaced'] });
    socket.start();
    await connected();
    ready(latest);
    latest().drop(4001);
    expect(socket.status()).toBe('expired');
    expect(statuses.at(-1)).toBe('expired');
    expect(timers.pending()).toEqual([]);
    socket.reconnectNow();
    socket.check();
    timers.advance(120_000);
    await connected();
    expect(FakeWebSocket.instances).toHaveLength(1);
    // The host hands the element a new token: the element starts the socket again.
    socket.start();
    await connected();
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(latest().url).toBe('ws://belfry/ws?token=replaced');
  });

  test('4003 (token for another user) stops the socket and asks its owner to start over', async () => {
    let changed = 0;
    const { socket, timers, latest } = setup({ onUserChanged: () => (changed += 1) });
    socket.start();
    await connected();
    ready(latest);
    latest().drop(4003);
    expect(changed).toBe(1);
    expect(socket.status()).toBe('closed');
    timers.advance(60_000);
    await connected();
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  test('send() writes JSON to an open socket and reports false when there is none', async () => {
    const { socket, timers, latest } = setup();
    expect(socket.send({ type: 'AUTH', payload: { token: 'x' } })).toBe(false);
    socket.start();
    await connected();
    expect(socket.send({ type: 'PING' })).toBe(false);
    ready(latest);
    expect(socket.send({ type: 'AUTH', payload: { token: 'x' } })).toBe(true);
    expect(latest().sent).toEqual([JSON.stringify({ type: 'AUTH', payload: { token: 'x' } })]);
    latest().drop(1006);
    expect(socket.send({ type: 'PING' })).toBe(false);
    expect(timers.pending()).toEqual([100]);
  });
});
