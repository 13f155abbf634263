import { describe, expect, test } from 'bun:test';
import { createNotificationStore } from '../../web/src/store.ts';
import { deferred, FakeServer, FakeSocket, ManualTimers, settle } from './fakes.ts';

function setup(options: { pageSize?: number; maxResyncPages?: number } = {}) {
  const server = new FakeServer();
  const socket = new FakeSocket();
  const timers = new ManualTimers();
  const store = createNotificationStore(server, socket, { timers, countSettleMs: 1000, ...options });
  const ids = () => store.state.items.map((item) => item.id);
  const unreadIds = () => store.state.items.filter((item) => item.read_at === null).map((item) => item.id);
  return { server, socket, timers, store, ids, unreadIds };
}

describe('createNotificationStore: loading and pushes', () => {
  test('loads the first page newest first, with the server count', async () => {
    const { server, store, ids } = setup();
    server.add();
    server.add();
    server.add();
    store.start();
    await settle();
    expect(store.state.phase).toBe('ready');
    expect(ids()).toEqual(['3', '2', '1']);
    expect(store.unreadCount()).toBe(3);
  });

  test('a pushed notification lands on top and counts up; a repeat of it changes nothing', async () => {
    const { server, socket, store, ids } = setup();
    server.add();
    store.start();
    await settle();
    const pushed = server.add('fresh');
    socket.push(pushed);
    socket.push(pushed);
    expect(ids()).toEqual(['2', '1']);
    expect(store.state.items[0]!.message).toBe('fresh');
    expect(store.unreadCount()).toBe(2);
  });

  test('a push already delivered by the page is not counted twice', async () => {
    const { server, socket, store, ids } = setup();
    const early = server.add();
    store.start();
    await settle();
    socket.push(early);
    expect(ids()).toEqual(['1']);
    expect(store.unreadCount()).toBe(1);
  });

  test('pushes arriving while the first page loads are merged, not lost or doubled', async () => {
    const { server, socket, store, ids } = setup();
    server.add();
    const gate = deferred();
    server.gate = gate.promise;
    store.start();
    const during = server.add();
    socket.push(during);
    server.gate = null;
    gate.resolve();
    await settle();
    expect(ids()).toEqual(['2', '1']);
  });

  test('the count is re-read from the server after a burst of pushes goes quiet', async () => {
    const { server, socket, timers, store } = setup();
    store.start();
    await settle();
    // The server already counted this one when the tab asked; the push then adds it again locally.
    const item = server.add();
    await store.refreshCount();
    socket.push(item);
    expect(store.unreadCount()).toBe(2);
    timers.advance(1000);
    await settle();
    expect(store.unreadCount()).toBe(1);
  });

  test('a count above what the tab knows (a push it never got) resyncs the list', async () => {
    const { server, socket, timers, store, ids } = setup();
    store.start();
    await settle();
    socket.push(server.add());
    server.add(); // committed, but its push was lost
    timers.advance(1000);
    await settle(40);
    expect(ids()).toEqual(['2', '1']);
    expect(store.unreadCount()).toBe(2);
  });

  test('a page that brings an item before its push (count read earlier) still ends at the server count', async () => {
    const { server, socket, timers, store } = setup();
    store.start();
    await settle();
    await store.refreshCount(); // 0: nothing committed yet
    const item = server.add();
    socket.emit({ type: 'RESYNC', payload: { reason: 'test' } });
    const gate = deferred();
    server.gate = gate.promise; // the resync's own count read is held back
    await settle(20);
    socket.push(item); // arrives after the page listed it: a repeat, not counted
    server.gate = null;
    gate.resolve();
    await settle(20);
    timers.advance(1000);
    await settle(20);
    expect(store.unreadCount()).toBe(1);
  });

  test('loading older pages follows the cursor and keeps ids unique', async () => {
    const { server, socket, store, ids } = setup({ pageSize: 2 });
    for (let i = 0; i < 5; i += 1) server.add();
    store.start();
    await settle();
    expect(ids()).toEqual(['5', '4']);
    socket.push(server.add());
    await store.loadMore();
    await store.loadMore();
    expect(ids()).toEqual(['6', '5', '4', '3', '2', '1']);
    expect(store.state.nextCursor).toBeNull();
    await store.loadMore();
    expect(server.calls.filter((call) => call === 'list')).toHaveLength(3);
  });

  test('a failed first load shows the error state; reload recovers', async () => {
    const { server, store } = setup();
    server.add();
    server.failNext.list = 1;
    store.start();
    await settle();
    expect(store.state.phase).toBe('error');
    await store.reload();
    expect(store.state.phase).toBe('ready');
    expect(store.state.items).toHaveLength(1);
  });

  test('switching to "all" lists read notifications too', async () => {
    const { server, store, ids } = setup();
    server.add();
    server.add();
    server.readOnServer(['1']);
    store.start();
    await settle();
    expect(ids()).toEqual(['2']);
    await store.setFilter('all');
    expect(ids()).toEqual(['2', '1']);
    expect(store.state.items[1]!.read_at).not.toBeNull();
  });
});

describe('createNotificationStore: reading', () => {
  test('mark as read is optimistic: item and count change before the server answers', async () => {
    const { server, store, unreadIds } = setup();
    server.add();
    server.add();
    store.start();
    await settle();
    const gate = deferred();
    server.gate = gate.promise;
    const done = store.markRead('1');
    expect(unreadIds()).toEqual(['2']);
    expect(store.unreadCount()).toBe(1);
    server.gate = null;
    gate.resolve();
    await done;
    expect(store.unreadCount()).toBe(1);
    expect(server.unread()).toBe(1);
  });

  test('a failed read is rolled back with a visible notice', async () => {
    const { server, store, unreadIds, timers } = setup();
    server.add();
    store.start();
    await settle();
    server.failNext.markRead = 1;
    await store.markRead('1');
    expect(unreadIds()).toEqual(['1']);
    expect(store.unreadCount()).toBe(1);
    expect(store.state.notice).toBe('readFailed');
    timers.advance(6000);
    expect(store.state.notice).toBeNull();
  });

  test('the READ frame arriving before the 204 does not count the read twice', async () => {
    const { server, socket, store } = setup();
    server.add();
    server.add();
    server.add();
    store.start();
    await settle();
    const gate = deferred();
    server.gate = gate.promise;
    const done = store.markRead('3');
    socket.emit({ type: 'READ', payload: { ids: ['3'], unread_count: 2 } });
    expect(store.unreadCount()).toBe(2);
    server.gate = null;
    gate.resolve();
    await done;
    expect(store.unreadCount()).toBe(2);
  });

  test('READ frames from other tabs update items, and their count is authoritative', async () => {
    const { server, socket, store, unreadIds } = setup();
    server.add();
    server.add();
    store.start();
    await settle();
    socket.emit({ type: 'READ', payload: { ids: ['2'], unread_count: 7 } });
    expect(unreadIds()).toEqual(['1']);
    expect(store.unreadCount()).toBe(7);
  });

  test('mark all as read clears items and badge at once, then takes the server count', async () => {
    const { server, store, unreadIds } = setup();
    server.add();
    server.add();
    store.start();
    await settle();
    const gate = deferred();
    server.gate = gate.promise;
    const done = store.markAllRead();
    expect(unreadIds()).toEqual([]);
    expect(store.unreadCount()).toBe(0);
    server.gate = null;
    gate.resolve();
    await done;
    expect(server.unread()).toBe(0);
    expect(store.unreadCount()).toBe(0);
  });

  test('a failed mark-all is rolled back, keeping what the server confirmed meanwhile', async () => {
    const { server, socket, store, unreadIds } = setup();
    server.add();
    server.add();
    server.add();
    store.start();
    await settle();
    const gate = deferred();
    server.gate = gate.promise;
    server.failNext.markAllRead = 1;
    const done = store.markAllRead();
    socket.emit({ type: 'READ', payload: { ids: ['2'], unread_count: 2 } });
    server.readOnServer(['2']);
    server.gate = null;
    gate.resolve();
    await done;
    await settle();
    expect(unreadIds()).toEqual(['3', '1']);
    expect(store.unreadCount()).toBe(2);
    expect(store.state.notice).toBe('readAllFailed');
  });

  test('a count response that raced a frame is discarded and asked again', async () => {
    const { server, socket, store } = setup();
    server.add();
    store.start();
    await settle();
    const gate = deferred();
    server.gate = gate.promise;
    const refreshing = store.refreshCount();
    await settle();
    // While the count request is in flight, a READ arrives; the response (computed later) must not win blindly.
    socket.emit({ type: 'READ', payload: { ids: ['1'], unread_count: 0 } });
    server.readOnServer(['1']);
    server.gate = null;
    gate.resolve();
    await refreshing;
    expect(store.unreadCount()).toBe(0);
    expect(server.calls.filter((call) => call === 'unreadCount').length).toBeGreaterThanOrEqual(2);
  });
});

describe('createNotificationStore: resync after a disconnect', () => {
  test('READY after a gap recovers every missed notification once, in order', async () => {
    const { server, socket, store, ids } = setup({ pageSize: 3 });
    for (let i = 0; i < 4; i += 1) server.add();
    store.start();
    socket.emit({ type: 'READY', payload: { user_id: 'u' } });
    await settle(30);
    expect(ids()).toEqual(['4', '3', '2']);
    socket.setStatus('reconnecting');
    // Missed while offline: 7 notifications (more than two pages); one of them was also pushed before the drop.
    const seen = server.add();
    socket.push(seen);
    for (let i = 0; i < 6; i += 1) server.add();
    socket.setStatus('open');
    socket.emit({ type: 'READY', payload: { user_id: 'u' } });
    await settle(40);
    // Refetched down to the oldest shown item, which here reaches the end of the list.
    expect(ids()).toEqual(['11', '10', '9', '8', '7', '6', '5', '4', '3', '2', '1']);
    expect(new Set(ids()).size).toBe(ids().length);
    expect(store.unreadCount()).toBe(11);
    expect(store.state.nextCursor).toBeNull();
  });

  test('after a short gap, older pages continue where they left off', async () => {
    const { server, socket, store, ids } = setup({ pageSize: 3 });
    for (let i = 0; i < 7; i += 1) server.add();
    store.start();
    await settle();
    expect(ids()).toEqual(['7', '6', '5']);
    server.add();
    socket.emit({ type: 'READY', payload: { user_id: 'u' } });
    await settle(40);
    // Refetched down past the oldest shown item (5), a whole page at a time.
    expect(ids()).toEqual(['8', '7', '6', '5', '4', '3']);
    await store.loadMore();
    expect(ids()).toEqual(['8', '7', '6', '5', '4', '3', '2', '1']);
    expect(store.state.nextCursor).toBeNull();
  });

  test('RESYNC takes out of the unread count what other tabs read while this one was not listening (unread view)', async () => {
    const { server, socket, store, unreadIds } = setup();
    server.add();
    server.add();
    server.add();
    store.start();
    await settle();
    server.readOnServer(['2']);
    socket.emit({ type: 'RESYNC', payload: { reason: 'bus_reconnected' } });
    await settle(30);
    expect(unreadIds()).toEqual(['3', '1']);
    expect(store.unreadCount()).toBe(2);
  });

  test('a gap too large to bridge starts the list over from the newest pages', async () => {
    const { server, socket, store, ids } = setup({ pageSize: 2, maxResyncPages: 2 });
    server.add();
    store.start();
    await settle();
    for (let i = 0; i < 9; i += 1) server.add();
    socket.emit({ type: 'RESYNC', payload: { reason: 'test' } });
    await settle(30);
    expect(ids()).toEqual(['10', '9', '8', '7']);
    await store.loadMore();
    expect(ids()).toEqual(['10', '9', '8', '7', '6', '5']);
  });

  test('pushes that arrive while a resync of an empty list is in flight are kept', async () => {
    const { server, socket, store, ids } = setup();
    store.start();
    await settle();
    const gate = deferred();
    server.gate = gate.promise;
    socket.emit({ type: 'READY', payload: { user_id: 'u' } });
    // Committed after the resync's page was read: only the push carries it.
    socket.push(server.add());
    socket.push(server.add());
    server.gate = null;
    server.rows = [];
    gate.resolve();
    await settle(30);
    expect(ids()).toEqual(['2', '1']);
  });

  test('reads made elsewhere are picked up across every page shown, not just the first', async () => {
    const { server, socket, store, unreadIds } = setup({ pageSize: 2 });
    for (let i = 0; i < 5; i += 1) server.add();
    store.start();
    await settle();
    await store.loadMore();
    await store.loadMore();
    expect(unreadIds()).toEqual(['5', '4', '3', '2', '1']);
    server.readOnServer(['1', '4']);
    socket.emit({ type: 'READY', payload: { user_id: 'u' } });
    await settle(40);
    expect(unreadIds()).toEqual(['5', '3', '2']);
  });

  test('a resync that fails keeps what is shown', async () => {
    const { server, socket, store, ids } = setup();
    server.add();
    store.start();
    await settle();
    server.failNext.list = 1;
    socket.emit({ type: 'RESYNC', payload: { reason: 'test' } });
    await settle(30);
    expect(ids()).toEqual(['1']);
    expect(store.state.phase).toBe('ready');
  });

  test('connection state follows the socket', async () => {
    const { socket, store } = setup();
    store.start();
    socket.setStatus('reconnecting');
    expect(store.state.connection).toBe('reconnecting');
    socket.setStatus('open');
    expect(store.state.connection).toBe('open');
    store.stop();
    socket.setStatus('reconnecting');
    expect(store.state.connection).toBe('open');
  });
});

describe('createNotificationStore: erasure', () => {
  test('ERASED clears the list and the badge at once, then refetches (which finds nothing)', async () => {
    const { server, socket, store, ids } = setup();
    server.add();
    server.add();
    store.start();
    await settle();
    expect(ids()).toEqual(['2', '1']);
    expect(store.unreadCount()).toBe(2);
    server.rows = [];
    const before = server.calls.length;
    socket.emit({ type: 'ERASED', payload: {} });
    expect(ids()).toEqual([]);
    expect(store.unreadCount()).toBe(0);
    await settle(20);
    expect(server.calls.slice(before)).toContain('list');
    expect(store.state.phase).toBe('ready');
    expect(ids()).toEqual([]);
    expect(store.unreadCount()).toBe(0);
  });

  test('a page that was in flight when ERASED came does not bring erased items back', async () => {
    const { server, socket, store, ids } = setup();
    server.add();
    store.start();
    await settle();
    const gate = deferred();
    server.gate = gate.promise;
    void store.setFilter('all');
    socket.emit({ type: 'ERASED', payload: {} });
    server.rows = [];
    server.gate = null;
    gate.resolve();
    await settle(20);
    expect(ids()).toEqual([]);
    expect(store.unreadCount()).toBe(0);
  });

  test('an erasure this tab never heard of (bus down) is caught by the next resync: erased items leave the screen', async () => {
    for (const filter of ['unread', 'all'] as const) {
      const { server, socket, store, ids } = setup();
      server.add('erased one');
      server.add('erased two');
      server.readOnServer(['1']);
      store.start();
      await settle();
      await store.setFilter(filter);
      await settle();
      expect(ids()).toEqual(filter === 'all' ? ['2', '1'] : ['2']);
      // Erased on the server, no ERASED frame; then one notification committed after the erasure.
      server.rows = [];
      server.add('after erasure');
      socket.emit({ type: 'RESYNC', payload: { reason: 'bus_reconnected' } });
      await settle(30);
      expect(ids()).toEqual(['3']);
      expect(store.state.items.map((item) => item.message)).toEqual(['after erasure']);
      store.stop();
    }
  });

  test('a resync whose pages stop short of the end keeps what they do not cover', async () => {
    const { server, socket, store, ids } = setup({ pageSize: 2 });
    for (let i = 0; i < 5; i += 1) server.add();
    store.start();
    await settle();
    await store.loadMore();
    await store.loadMore();
    expect(ids()).toEqual(['5', '4', '3', '2', '1']);
    server.add();
    socket.emit({ type: 'RESYNC', payload: { reason: 'test' } });
    await settle(40);
    expect(ids()).toEqual(['6', '5', '4', '3', '2', '1']);
  });

  test('a notification pushed right after the erasure is the only one shown', async () => {
    const { server, socket, store, ids } = setup();
    server.add();
    server.add();
    store.start();
    await settle();
    server.rows = [];
    socket.emit({ type: 'ERASED', payload: {} });
    socket.push(server.add('after erasure'));
    await settle(20);
    expect(ids()).toEqual(['3']);
    expect(store.unreadCount()).toBe(1);
  });
});
