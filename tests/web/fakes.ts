/**
 * Test doubles for the panel's unit tests: an in-memory notification server behind the
 * NotificationApi interface, a socket whose frames the test pushes by hand, a fake WebSocket
 * and a manual clock. No network, no browser.
 */
import type { ListQuery, NotificationApi } from '../../web/src/api.ts';
import { ApiError } from '../../web/src/api.ts';
import { newestFirst } from '../../web/src/order.ts';
import type { WebSocketLike } from '../../web/src/socket.ts';
import type { Timers } from '../../web/src/timers.ts';
import type { StoreSocket } from '../../web/src/store.ts';
import type { BelfryNotification, Frame, SocketStatus } from '../../web/src/types.ts';

/** One user's notifications, served like the REST API (newest first, opaque cursors, monotonic read). */
export class FakeServer implements NotificationApi {
  rows: BelfryNotification[] = [];
  calls: string[] = [];
  failNext: Partial<
    Record<'list' | 'markRead' | 'markAllRead' | 'unreadCount' | 'markUnread' | 'archive' | 'unarchive' | 'remove' | 'markSeen', number>
  > = {};
  /** The list's query strings as asked, for checking views and categories. */
  queries: ListQuery[] = [];
  /** When set, every call waits for this promise before answering (to interleave frames). */
  gate: Promise<void> | null = null;
  private nextId = 1;
  private clock = Date.parse('2026-01-01T00:00:00.000Z');

  /** Commits a new unread notification and returns it (as a NOTIFICATION frame would carry it). */
  add(message = `message ${this.nextId}`, type = 'comment', extra: Partial<BelfryNotification> = {}): BelfryNotification {
    this.clock += 1000;
    const row: BelfryNotification = {
      id: String(this.nextId++),
      type,
      message,
      created_at: new Date(this.clock).toISOString(),
      read_at: null,
      ...extra,
    };
    this.rows.push(row);
    return { ...row };
  }

  /** Marks ids read on the server only (as another tab would). */
  readOnServer(ids: string[]): void {
    for (const row of this.rows) if (ids.includes(row.id) && row.read_at === null) row.read_at = new Date(this.clock).toISOString();
  }

  /** Unread and not archived, as the inbox server counts. */
  unread(): number {
    return this.rows.filter((row) => row.read_at === null && !row.archived_at).length;
  }

  private row(id: string): BelfryNotification {
    const row = this.rows.find((candidate) => candidate.id === id);
    if (!row) throw new ApiError(404, 'not_found', 'Not found');
    return row;
  }

  private async step(name: keyof FakeServer['failNext']) {
    this.calls.push(name);
    if (this.gate) await this.gate;
    if (this.failNext[name]) {
      this.failNext[name]! -= 1;
      throw new ApiError(503, 'unavailable', 'down');
    }
  }

  async list(query: ListQuery) {
    const { status, limit, cursor, category } = query;
    this.queries.push(query);
    await this.step('list');
    const shown = (row: BelfryNotification) =>
      (status === 'archived' ? !!row.archived_at : !row.archived_at && (status === 'all' || row.read_at === null)) &&
      (!category || row.category === category);
    const sorted = this.rows.filter(shown).sort(newestFirst);
    let start = 0;
    if (cursor) {
      const [created_at, id] = JSON.parse(cursor) as [string, string];
      start = sorted.findIndex((row) => newestFirst(row, { id, created_at }) > 0);
      if (start < 0) start = sorted.length;
    }
    const items = sorted.slice(start, start + limit).map((row) => ({ ...row }));
    const last = items.at(-1);
    const more = start + limit < sorted.length && last;
    return { items, nextCursor: more ? JSON.stringify([last.created_at, last.id]) : null };
  }

  async markRead(id: string) {
    await this.step('markRead');
    const row = this.rows.find((candidate) => candidate.id === id);
    if (!row) throw new ApiError(404, 'not_found', 'Not found');
    row.read_at ??= new Date(this.clock).toISOString();
  }

  async markAllRead() {
    await this.step('markAllRead');
    this.readOnServer(this.rows.map((row) => row.id));
  }

  async unreadCount() {
    await this.step('unreadCount');
    const inbox = this.rows.filter((row) => row.read_at === null && !row.archived_at);
    return { count: inbox.length, unseen: inbox.some((row) => 'seen_at' in row) ? inbox.filter((row) => row.seen_at === null).length : null };
  }

  async markUnread(id: string) {
    await this.step('markUnread');
    this.row(id).read_at = null;
  }

  async archive(ids: string[]) {
    await this.step('archive');
    for (const id of ids) this.row(id).archived_at ??= new Date(this.clock).toISOString();
  }

  async unarchive(ids: string[]) {
    await this.step('unarchive');
    for (const id of ids) this.row(id).archived_at = null;
  }

  async remove(id: string) {
    await this.step('remove');
    this.row(id);
    this.rows = this.rows.filter((row) => row.id !== id);
  }

  async markSeen(ids: string[]) {
    await this.step('markSeen');
    for (const id of ids) this.row(id).seen_at ??= new Date(this.clock).toISOString();
  }
}

/** A socket the test drives: `emit` delivers a frame, `setStatus` a connection change. */
export class FakeSocket implements StoreSocket {
  private frames = new Set<(frame: Frame) => void>();
  private statuses = new Set<(status: SocketStatus) => void>();
  current: SocketStatus = 'connecting';
  /** Frames the code under test sent (only while 'open', as the real socket). */
  sent: unknown[] = [];

  send(frame: object) {
    if (this.current !== 'open') return false;
    this.sent.push(frame);
    return true;
  }
  onFrame(listener: (frame: Frame) => void) {
    this.frames.add(listener);
    return () => void this.frames.delete(listener);
  }
  onStatus(listener: (status: SocketStatus) => void) {
    this.statuses.add(listener);
    return () => void this.statuses.delete(listener);
  }
  status() {
    return this.current;
  }
  emit(frame: Frame) {
    for (const listener of this.frames) listener(frame);
  }
  push(item: BelfryNotification) {
    const { read_at: _read, ...payload } = item;
    this.emit({ type: 'NOTIFICATION', payload });
  }
  setStatus(status: SocketStatus) {
    this.current = status;
    for (const listener of this.statuses) listener(status);
  }
}

/** Timers that only fire when the test advances the clock. */
export class ManualTimers implements Timers {
  now = 0;
  private queue: Array<{ at: number; fn: () => void; handle: number }> = [];
  private handles = 0;

  setTimeout(fn: () => void, ms: number) {
    const handle = ++this.handles;
    this.queue.push({ at: this.now + ms, fn, handle });
    return handle;
  }
  clearTimeout(handle: unknown) {
    this.queue = this.queue.filter((entry) => entry.handle !== handle);
  }
  /** Delays of the timers now pending, in order of creation. */
  pending(): number[] {
    return this.queue.map((entry) => entry.at - this.now);
  }
  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number) {
    const target = this.now + ms;
    for (;;) {
      const due = this.queue.filter((entry) => entry.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.queue = this.queue.filter((entry) => entry !== due);
      this.now = due.at;
      due.fn();
    }
    this.now = target;
  }
}

/** A WebSocket stand-in: records sends, and lets the test open, message and close it. */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  closedByClient = false;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.closedByClient = true;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

/** An unsigned JWT with these claims (the panel only reads claims; the server verifies). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

/** Resolves once pending promise callbacks (several hops deep) have run. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await Promise.resolve();
}

/** A promise plus its resolver, for gating fake calls. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}
