/** The inbox operations: unread, archive, delete, seen, views by status and category, CHANGED frames. */
import { describe, expect, test } from 'bun:test';
import { ApiError } from '../../web/src/api.ts';
import { createNotificationStore } from '../../web/src/store.ts';
import type { BelfryNotification, Change, Frame } from '../../web/src/types.ts';
import { FakeServer, FakeSocket, ManualTimers, settle } from './fakes.ts';

function setup() {
  const server = new FakeServer();
  const socket = new FakeSocket();
  const timers = new ManualTimers();
  const arrived: BelfryNotification[] = [];
  const store = createNotificationStore(server, socket, { timers, countSettleMs: 1000, onNotification: (item) => arrived.push(item) });
  const ids = () => store.state.items.map((item) => item.id);
  return { server, socket, timers, store, ids, arrived };
}

const changed = (change: Change, ids: string[], unread_count: number): Frame =>
  ({ type: 'CHANGED', payload: { change, ids, unread_count } });

describe('row actions', () => {
  test('mark unread: the row turns unread at once and the count goes up; the server agrees', async () => {
    const { server, store, timers } = setup();
    server.add();
    server.readOnServer(['1']);
    await store.setFilter('all');
    store.start();
    await settle();
    await store.markUnread('1');
    expect(store.state.items[0]!.read_at).toBeNull();
    expect(store.unreadCount()).toBe(1);
    expect(server.rows[0]!.read_at).toBeNull();
    timers.advance(1000);
    await settle();
    expect(store.unreadCount()).toBe(1);
  });

  test('a failed unread is rolled back with a notice', async () => {
    const { server, store } = setup();
    server.add();
    server.readOnServer(['1']);
    await store.setFilter('all');
    store.start();
    await settle();
    server.failNext.markUnread = 1;
    await store.markUnread('1');
    expect(store.state.items[0]!.read_at).not.toBeNull();
    expect(store.unreadCount()).toBe(0);
    expect(store.state.notice).toBe('unreadFailed');
  });

  test('archive takes the row out at once and the count follows the server', async () => {
    const { server, store, ids } = setup();
    server.add();
    server.add();
    store.start();
    await settle();
    await store.archive('2');
    await settle();
    expect(ids()).toEqual(['1']);
    expect(server.rows.find((row) => row.id === '2')!.archived_at).toBeString();
    expect(store.unreadCount()).toBe(1);
    await store.setFilter('archived');
    expect(ids()).toEqual(['2']);
    await store.unarchive('2');
    expect(ids()).toEqual([]);
    expect(server.rows.find((row) => row.id === '2')!.archived_at).toBeNull();
  });

  test('a failed archive or delete puts the row back in its place, with a notice', async () => {
    const { server, store, ids } = setup();
    server.add();
    server.add();
    server.add();
    store.start();
    await settle();
    server.failNext.archive = 1;
    await store.archive('2');
    expect(ids()).toEqual(['3', '2', '1']);
    expect(store.state.notice).toBe('archiveFailed');
    server.failNext.remove = 1;
    await store.remove('3');
    expect(ids()).toEqual(['3', '2', '1']);
    expect(store.state.notice).toBe('deleteFailed');
  });

  test('delete removes the row here and on the server', async () => {
    const { server, store, ids } = setup();
    server.add();
    server.add();
    store.start();
    await settle();
    await store.remove('1');
    await settle();
    expect(ids()).toEqual(['2']);
    expect(server.rows.map((row) => row.id)).toEqual(['2']);
    expect(store.unreadCount()).toBe(1);
  });
});

describe('seen', () => {
  test('only items whose server tracks seen_at are reported, once', async () => {
    const { server, store } = setup();
    server.add('old server');
    server.add('tracked', 'comment', { seen_at: null, archived_at: null });
    store.start();
    await settle();
    await store.markSeen();
    expect(server.rows.map((row) => row.seen_at ?? 'absent')).toEqual(['absent', expect.any(String)]);
    server.calls = [];
    await store.markSeen();
    expect(server.calls).not.toContain('markSeen');
  });

  test('a server without seen gets no calls at all', async () => {
    const { server, store } = setup();
    server.add();
    store.start();
    await settle();
    await store.markSeen();
    expect(server.calls).not.toContain('markSeen');
  });
});

describe('views', () => {
  test('a category tab asks for that category; status tabs do not send one', async () => {
    const { server, store, ids } = setup();
    server.add('a', 'invoice', { category: 'billing' });
    server.add('b', 'invite', { category: 'team' });
    store.start();
    await settle();
    await store.setFilter('all', 'billing');
    expect(ids()).toEqual(['1']);
    expect(server.queries.at(-1)).toMatchObject({ status: 'all', category: 'billing' });
    await store.setFilter('unread');
    expect(server.queries.at(-1)!.category).toBeNull();
    expect(ids()).toEqual(['2', '1']);
  });

  test('a live notification fires onNotification once, and lands only in views it belongs to', async () => {
    const { server, socket, store, ids, arrived } = setup();
    store.start();
    await settle();
    await store.setFilter('all', 'billing');
    socket.push(server.add('team thing', 'invite', { category: 'team' }));
    socket.push(server.add('bill', 'invoice', { category: 'billing' }));
    expect(ids()).toEqual(['2']);
    expect(arrived.map((item) => item.id)).toEqual(['1', '2']);
    await store.setFilter('archived');
    socket.push(server.add());
    expect(ids()).toEqual([]);
    expect(store.unreadCount()).toBe(3);
  });
});

describe('CHANGED frames', () => {
  test('read, unread and seen update rows in place and take the count as authoritative', async () => {
    const { server, socket, store } = setup();
    server.add('x', 'comment', { seen_at: null });
    await store.setFilter('all');
    store.start();
    await settle();
    socket.emit(changed('read', ['1'], 0));
    expect(store.state.items[0]!.read_at).not.toBeNull();
    expect(store.unreadCount()).toBe(0);
    socket.emit(changed('unread', ['1'], 1));
    expect(store.state.items[0]!.read_at).toBeNull();
    expect(store.unreadCount()).toBe(1);
    socket.emit(changed('seen', ['1'], 1));
    expect(store.state.items[0]!.seen_at).toBeString();
  });

  test('archived and deleted leave the inbox views; unarchived leaves the archive view', async () => {
    const { server, socket, store, ids } = setup();
    server.add();
    server.add();
    server.add();
    store.start();
    await settle();
    socket.emit(changed('archived', ['3'], 2));
    socket.emit(changed('deleted', ['1'], 1));
    expect(ids()).toEqual(['2']);
    expect(store.unreadCount()).toBe(1);
    server.rows.find((row) => row.id === '3')!.archived_at = '2026-01-01T00:00:00.000Z';
    await store.setFilter('archived');
    expect(ids()).toEqual(['3']);
    socket.emit(changed('unarchived', ['3'], 2));
    expect(ids()).toEqual([]);
  });

  test('items moving into the view shown (unarchived into the inbox, unread elsewhere) are fetched', async () => {
    const { server, socket, store, ids } = setup();
    server.add();
    server.add('archived', 'comment', { archived_at: '2026-01-01T00:00:00.000Z' });
    store.start();
    await settle();
    expect(ids()).toEqual(['1']);
    server.rows[1]!.archived_at = null;
    socket.emit(changed('unarchived', ['2'], 2));
    await settle();
    expect(ids()).toEqual(['2', '1']);
    server.add();
    server.readOnServer(['3']);
    server.rows[2]!.read_at = null;
    socket.emit(changed('unread', ['3'], 3));
    await settle();
    expect(ids()).toEqual(['3', '2', '1']);
  });
});
