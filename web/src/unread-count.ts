/**
 * The unread count the badge shows. The server's count is authoritative (READ frames, unread-count
 * responses); local changes are overlays until it confirms them: optimistic reads in flight are
 * subtracted, pushes add one. Count responses that raced a change are discarded and asked again,
 * and after a burst of changes the count is re-read once things go quiet, so it cannot drift.
 */
import { createSignal } from 'solid-js';
import type { NotificationApi } from './api.ts';
import type { Timers } from './timers.ts';

/** Options for {@link createUnreadCount}. */
export interface UnreadCountOptions {
  timers: Timers;
  /** Quiet time after the last change before the count is re-read. */
  settleMs: number;
  /** Called when a settled re-read shows more unread than this tab knew of: it missed something. */
  onMissed: () => void;
}

/** The count and its bookkeeping. */
export interface UnreadCount {
  /** What the badge shows: the server's count minus reads still in flight. */
  shown(): number;
  server(): number;
  /** How many of the inbox the user has never been shown, as the server last said (plus pushes since). */
  unseen(): number;
  /** Local estimate until the next re-read: a push adds one unseen, showing some takes them off. */
  adjustUnseen(delta: number): void;
  /** Takes an authoritative count (a READ frame). */
  set(count: number): void;
  /** A local estimate until the server confirms it (a push: +1; a read confirmed only by its 204: −1). */
  adjust(delta: number): void;
  /** Something changed the count on the server: any count request in flight is stale. */
  changed(): void;
  /** Starts an optimistic read; false if one is already in flight for this id. */
  hold(id: string): boolean;
  /** Ends an optimistic read; false if a READ frame already settled it. */
  release(id: string): boolean;
  /** While a read-all runs no count response can be trusted. */
  setBulk(running: boolean): void;
  /** Re-reads the count; with `heal`, a count above the local one calls `onMissed`. */
  refresh(heal?: boolean): Promise<void>;
  /** Re-reads the count (healing) once changes stop for `settleMs`. */
  settleSoon(): void;
  stop(): void;
}

/** Creates the count for one user's store. */
export function createUnreadCount(
  api: Pick<NotificationApi, 'unreadCount'>,
  { timers, settleMs, onMissed }: UnreadCountOptions,
): UnreadCount {
  const [server, setServer] = createSignal(0);
  const [pendingSize, setPendingSize] = createSignal(0);
  const [unseen, setUnseen] = createSignal(0);
  const pending = new Set<string>();
  let bulk = false;
  let generation = 0;
  let stale = false; // a refresh was skipped because reads were in flight
  let settleTimer: unknown = null;

  const busy = () => pending.size > 0 || bulk;
  const changed = () => {
    generation += 1;
    if (stale && !busy()) void refresh();
  };

  async function refresh(heal = false): Promise<void> {
    for (let tries = 0; tries < 3; tries += 1) {
      const asked = generation;
      let count: number;
      try {
        const counts = await api.unreadCount();
        count = counts.count;
        // Unseen is only a hint; it is taken even when a read in flight makes the count itself doubtful.
        setUnseen(counts.unseen ?? 0);
      } catch {
        return; // Offline: the next (re)connect refreshes it.
      }
      // A read still in flight may or may not be in this count: ask again once it settles.
      if (busy()) {
        stale = true;
        return;
      }
      if (asked === generation) {
        stale = false;
        const missed = count > server();
        setServer(count);
        if (heal && missed) onMissed();
        return;
      }
    }
  }

  return {
    shown: () => Math.max(0, server() - pendingSize()),
    server,
    unseen,
    adjustUnseen(delta) {
      setUnseen((value) => Math.max(0, value + delta));
    },
    set(count) {
      generation += 1;
      setServer(count);
    },
    adjust(delta) {
      setServer((count) => Math.max(0, count + delta));
    },
    changed,
    hold(id) {
      if (pending.has(id)) return false;
      pending.add(id);
      setPendingSize(pending.size);
      return true;
    },
    release(id) {
      if (!pending.delete(id)) return false;
      setPendingSize(pending.size);
      return true;
    },
    setBulk(running) {
      bulk = running;
      if (!running) stale = false;
    },
    refresh,
    settleSoon() {
      if (settleTimer !== null) timers.clearTimeout(settleTimer);
      settleTimer = timers.setTimeout(() => {
        settleTimer = null;
        void refresh(true);
      }, settleMs);
    },
    stop() {
      if (settleTimer !== null) timers.clearTimeout(settleTimer);
      settleTimer = null;
    },
  };
}
