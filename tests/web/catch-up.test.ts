/**
 * The socket and the store together: whatever closed the socket (slow consumer, service restart, an
 * expired token), the panel reconnects and catches up, showing every notification exactly once.
 */
import { beforeEach, describe, expect, test } from 'bun:test';
import { createSocket } from '../../web/src/socket.ts';
import { createNotificationStore } from '../../web/src/store.ts';
import type { BelfryNotification } from '../../web/src/types.ts';
import { FakeServer, FakeWebSocket, ManualTimers, settle } from './fakes.ts';

function setup() {
  const timers = new ManualTimers();
  const server = new FakeServer();
  let tokens = 0;
  const socket = createSocket({
    url: () => `ws://belfry/ws?token=t${++tokens}`,
    WebSocketImpl: FakeWebSocket,
    timers,
    random: () => 1,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    pingIntervalMs: 20_000,
    pongTimeoutMs: 5_000,
  });
  const store = createNotificationStore(server, socket, { timers, countSettleMs: 1000 });
  const latest = () => FakeWebSocket.instances.at(-1)!;
  const push = (item: BelfryNotification) => {
    const { read_at: _read, ...payload } = item;
    latest().receive({ type: 'NOTIFICATION', payload });
  };
  const ids = () => store.state.items.map((item) => item.id);
  const ready = async () => {
    latest().open();
    latest().receive({ type: 'READY', payload: { user_id: 'alice' } });
    await settle(40);
  };
  return { timers, server, socket, store, latest, push, ids, ready };
}

beforeEach(() => {
  FakeWebSocket.instances = [];
});

const cases: Array<{ name: string; code: number; before?: object; delay: number }> = [
  { name: '4008 (slow consumer)', code: 4008, delay: 100 },
  { name: '1012 after RECONNECT { after_ms: 250 } (service restart)', code: 1012, before: { type: 'RECONNECT', payload: { after_ms: 250 } }, delay: 250 },
  { name: '1012 after RECONNECT { after_ms: 0 }', code: 1012, before: { type: 'RECONNECT', payload: { after_ms: 0 } }, delay: 0 },
  { name: '4001 (token expired; a fresh one is fetched)', code: 4001, delay: 0 },
];

describe('catch-up after a close', () => {
  for (const { name, code, before, delay } of cases) {
    test(`${name}: reconnects after ${delay} ms and shows every notification once`, async () => {
      const { timers, server, socket, store, latest, push, ids, ready } = setup();
      server.add();
      server.add();
      store.start();
      socket.start();
      await settle();
      await ready();
      push(server.add('live'));
      expect(ids()).toEqual(['3', '2', '1']);

      if (before) latest().receive(before);
      latest().drop(code);
      expect(store.state.connection).toBe('reconnecting');
      // Committed while no socket was listening.
      server.add('missed 1');
      server.add('missed 2');
      expect(timers.pending()).toContain(delay);
      timers.advance(delay);
      await settle();
      expect(FakeWebSocket.instances).toHaveLength(2);
      expect(latest().url).toBe('ws://belfry/ws?token=t2');
      await ready();
      // The newest one also arrives live on the new socket (a catch-up may overlap): still once.
      push(server.rows.at(-1)!);
      expect(ids()).toEqual(['5', '4', '3', '2', '1']);
      expect(store.unreadCount()).toBe(5);
      expect(store.state.connection).toBe('open');
    });
  }
});
