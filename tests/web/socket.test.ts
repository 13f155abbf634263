import { beforeEach, describe, expect, test } from 'bun:test';
import { createSocket } from '../../web/src/socket.ts';
import type { Frame, SocketStatus } from '../../web/src/types.ts';
import { FakeWebSocket, ManualTimers, settle } from './fakes.ts';

function setup(options: { random?: () => number; tokens?: string[] } = {}) {
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
