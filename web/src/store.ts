/**
 * The panel's domain state: one user's notifications for the current view, merged from REST pages,
 * WebSocket pushes and read changes (deduplicated by id, ordered newest first), plus the unread
 * count, where the server is authoritative and local changes are only optimistic overlays.
 * Uses only `createStore`/`createSignal` (no effects or memos), so it also runs as plain state
 * under `bun test`, where solid-js resolves to its server build.
 */
import { createSignal } from 'solid-js';
import { createStore, unwrap } from 'solid-js/store';
import type { NotificationApi } from './api.ts';
import { insertSorted, isAtOrOlder, keepRead, mergeById, newestFirst } from './order.ts';
import type { Timers } from './socket.ts';
import type { BelfryNotification, Filter, Frame, SocketStatus } from './types.ts';

/** The part of the socket the store listens to. */
export interface StoreSocket {
  onFrame(listener: (frame: Frame) => void): () => void;
  onStatus(listener: (status: SocketStatus) => void): () => void;
  status(): SocketStatus;
}

/** Everything the panel renders. */
export interface NotificationState {
  items: BelfryNotification[];
  filter: Filter;
  phase: 'loading' | 'ready' | 'error';
  nextCursor: string | null;
  loadingMore: boolean;
  moreFailed: boolean;
  notice: string | null;
  connection: SocketStatus;
}

/** Options for {@link createNotificationStore}. */
export interface StoreOptions {
  pageSize?: number;
  /** How many pages a resync may fetch to bridge a gap before it resets the list instead. */
  maxResyncPages?: number;
  /** Quiet time after a burst of pushes before the count is re-read from the server. */
  countSettleMs?: number;
  noticeMs?: number;
  now?: () => number;
  timers?: Timers;
}

/** The store the components read and call. */
export interface NotificationStore {
  readonly state: NotificationState;
  /** Unread count to show: the server's count minus reads still in flight. */
  unreadCount(): number;
  start(): void;
  stop(): void;
  reload(): Promise<void>;
  loadMore(): Promise<void>;
  setFilter(filter: Filter): Promise<void>;
  markRead(id: string): Promise<void>;
  markAllRead(): Promise<void>;
  resync(): Promise<void>;
  /** Re-reads the unread count from the server (and resyncs the list if it shows a missed push). */
  refreshCount(heal?: boolean): Promise<void>;
  dismissNotice(): void;
}

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Creates the store for one user; call `start()` to load and follow the socket. */
export function createNotificationStore(
  api: NotificationApi,
  socket: StoreSocket,
  {
    pageSize = 20,
    maxResyncPages = 5,
    countSettleMs = 1_000,
    noticeMs = 6_000,
    now = Date.now,
    timers = defaultTimers,
  }: StoreOptions = {},
): NotificationStore {
  const [state, setState] = createStore<NotificationState>({
    items: [],
    filter: 'unread',
    phase: 'loading',
    nextCursor: null,
    loadingMore: false,
    moreFailed: false,
    notice: null,
    connection: socket.status(),
  });
  const [serverCount, setServerCount] = createSignal(0);
  const [pendingSize, setPendingSize] = createSignal(0);

  const pending = new Set<string>(); // optimistic single reads whose POST has not settled
  let readAllInFlight = false;
  let readByServer = new Set<string>(); // ids confirmed by READ frames while read-all is in flight
  let countGeneration = 0; // bumped by anything that changes the count, to discard stale count responses
  let countStale = false; // a count refresh was skipped because reads were in flight
  let viewGeneration = 0; // bumped when the list is replaced, to discard stale pages
  let resyncGeneration = 0;
  let resyncAfterLoad = false;
  let settleTimer: unknown = null;
  let noticeTimer: unknown = null;
  const unsubscribe: Array<() => void> = [];

  const items = () => unwrap(state.items);
  const nowIso = () => new Date(now()).toISOString();
  const setRead = (ids: ReadonlySet<string>, readAt: string | null) =>
    setState('items', (item) => ids.has(item.id) && (readAt === null) !== (item.read_at === null), 'read_at', readAt);
  /** Adds or removes an optimistic read; returns whether the set changed. */
  const setPending = (id: string, on: boolean) => {
    if (on === pending.has(id)) return false;
    if (on) pending.add(id);
    else pending.delete(id);
    setPendingSize(pending.size);
    return true;
  };
  const showNotice = (message: string) => {
    if (noticeTimer !== null) timers.clearTimeout(noticeTimer);
    setState('notice', message);
    noticeTimer = timers.setTimeout(() => {
      noticeTimer = null;
      setState('notice', null);
    }, noticeMs);
  };
  const afterSettle = () => {
    countGeneration += 1;
    if (countStale && pending.size === 0 && !readAllInFlight) void refreshCount();
  };

  /**
   * Reads the authoritative count. With `heal`, a count above what this tab knows means it missed a push
   * (a socket that died silently, say): the list is resynced too.
   */
  async function refreshCount(heal = false): Promise<void> {
    for (let tries = 0; tries < 3; tries += 1) {
      const generation = countGeneration;
      let count: number;
      try {
        count = await api.unreadCount();
      } catch {
        return; // Offline: the next (re)connect refreshes it.
      }
      // A read still in flight may or may not be in this count: wait until it settles.
      if (pending.size > 0 || readAllInFlight) {
        countStale = true;
        return;
      }
      if (generation === countGeneration) {
        countStale = false;
        const missed = count > serverCount();
        setServerCount(count);
        if (heal && missed) void resync();
        return;
      }
    }
  }

  // A push can reach this tab after a count request already counted it; re-read once pushes go quiet.
  const scheduleCountSettle = () => {
    if (settleTimer !== null) timers.clearTimeout(settleTimer);
    settleTimer = timers.setTimeout(() => {
      settleTimer = null;
      void refreshCount(true);
    }, countSettleMs);
  };

  /**
   * Unread items a page brings that no push announced: the count may have been read before they
   * committed (pushes and pages race), so it is re-read once things go quiet.
   */
  const noteUnseen = (page: readonly BelfryNotification[]) => {
    const known = new Set(items().map((item) => item.id));
    if (page.some((item) => item.read_at === null && !known.has(item.id))) scheduleCountSettle();
  };

  async function reload(): Promise<void> {
    const view = ++viewGeneration;
    setState({ phase: 'loading', items: [], nextCursor: null, loadingMore: false, moreFailed: false });
    try {
      const page = await api.list({ status: state.filter, limit: pageSize });
      if (view !== viewGeneration) return;
      // Pushes that arrived while loading are already in the list: merge, don't replace.
      noteUnseen(page.items);
      setState({ items: mergeById(items(), page.items, keepRead), nextCursor: page.nextCursor, phase: 'ready' });
    } catch {
      if (view === viewGeneration) setState('phase', 'error');
    }
    if (view === viewGeneration && resyncAfterLoad) {
      resyncAfterLoad = false;
      await resync();
    }
  }

  async function resync(): Promise<void> {
    void refreshCount();
    if (state.phase === 'loading') {
      // The load in flight may predate the socket's READY: run again once it lands.
      resyncAfterLoad = true;
      return;
    }
    if (state.phase === 'error') return reload();
    const view = viewGeneration;
    const mine = ++resyncGeneration;
    const shown = items();
    const newest = shown[0];
    const oldestShown = shown.at(-1);
    const fetched: BelfryNotification[] = [];
    let cursor: string | null = null;
    let reachedEnd = false;
    let bridged = false;
    try {
      // Refetch from the top down to the oldest item shown (so reads made elsewhere are seen too),
      // at most maxResyncPages pages.
      for (let page = 0; page < maxResyncPages; page += 1) {
        const result = await api.list({ status: state.filter, limit: pageSize, cursor });
        if (view !== viewGeneration || mine !== resyncGeneration) return;
        fetched.push(...result.items);
        cursor = result.nextCursor;
        const last = result.items.at(-1);
        if (!cursor) {
          reachedEnd = true;
          break;
        }
        if (newest && last && isAtOrOlder(last, newest)) bridged = true;
        if (!oldestShown || (last && isAtOrOlder(last, oldestShown))) break;
      }
    } catch {
      return; // Keep what is shown; the next reconnect or RESYNC tries again.
    }
    noteUnseen(fetched);
    const oldest = fetched.at(-1);
    const covered = (item: BelfryNotification) =>
      reachedEnd || (oldest !== undefined && newestFirst(item, oldest) <= 0);
    if (!reachedEnd && !bridged) {
      // Nothing was shown, or too much was missed to bridge: the list starts over from these pages,
      // keeping only pushes at least as new as them (they may have arrived while fetching).
      viewGeneration += 1;
      setState({ items: mergeById(items().filter(covered), fetched, keepRead), nextCursor: cursor, loadingMore: false });
      return;
    }
    let merged = mergeById(items(), fetched, keepRead);
    if (state.filter === 'unread') {
      // In the unread view, an item shown before this resync, inside the refetched range, that the
      // server no longer lists was read elsewhere while this tab was not listening.
      const before = new Set(shown.map((item) => item.id));
      const listed = new Set(fetched.map((item) => item.id));
      const readAt = nowIso();
      merged = merged.map((item) =>
        item.read_at === null && before.has(item.id) && !listed.has(item.id) && covered(item)
          ? { ...item, read_at: readAt }
          : item,
      );
    }
    // The refetch reached past the oldest item shown: older pages continue from its cursor.
    const reachedOldest = !oldestShown || (oldest !== undefined && isAtOrOlder(oldest, oldestShown));
    setState({ items: merged, ...(reachedEnd ? { nextCursor: null } : reachedOldest ? { nextCursor: cursor } : {}) });
  }

  async function loadMore(): Promise<void> {
    if (state.phase !== 'ready' || state.loadingMore || !state.nextCursor) return;
    const view = viewGeneration;
    setState({ loadingMore: true, moreFailed: false });
    try {
      const page = await api.list({ status: state.filter, limit: pageSize, cursor: state.nextCursor });
      if (view !== viewGeneration) return;
      setState({ items: mergeById(items(), page.items, keepRead), nextCursor: page.nextCursor, loadingMore: false });
    } catch {
      if (view === viewGeneration) setState({ loadingMore: false, moreFailed: true });
    }
  }

  async function markRead(id: string): Promise<void> {
    const item = items().find((candidate) => candidate.id === id);
    if (!item || item.read_at !== null || !setPending(id, true)) return;
    const ids = new Set([id]);
    setRead(ids, nowIso());
    try {
      await api.markRead(id);
      // Unless a READ frame already brought the authoritative count, account for this read.
      if (setPending(id, false)) setServerCount((count) => Math.max(0, count - 1));
    } catch {
      if (setPending(id, false)) {
        setRead(ids, null);
        showNotice('Could not mark the notification as read. Please try again.');
      }
    }
    afterSettle();
  }

  async function markAllRead(): Promise<void> {
    if (readAllInFlight) return;
    const ids = new Set(items().filter((item) => item.read_at === null).map((item) => item.id));
    const before = serverCount();
    readAllInFlight = true;
    readByServer = new Set();
    setRead(ids, nowIso());
    setServerCount(0);
    try {
      await api.markAllRead();
    } catch {
      for (const id of readByServer) ids.delete(id);
      setRead(ids, null);
      setServerCount(before);
      showNotice('Could not mark all as read. Please try again.');
    }
    readAllInFlight = false;
    countStale = false;
    afterSettle();
    // Something may have arrived (and stayed unread) while the call ran: ask for the real count.
    await refreshCount();
  }

  function onFrame(frame: Frame) {
    switch (frame.type) {
      case 'READY':
      case 'RESYNC':
        void resync();
        return;
      case 'NOTIFICATION': {
        countGeneration += 1;
        if (items().some((item) => item.id === frame.payload.id)) {
          // A page already brought it, so a count read at that time may be missing it or not: re-read.
          scheduleCountSettle();
          return;
        }
        setState('items', insertSorted(items(), { ...frame.payload, read_at: null }));
        setServerCount((count) => count + 1);
        scheduleCountSettle();
        return;
      }
      case 'READ': {
        countGeneration += 1;
        const ids = new Set(frame.payload.ids);
        setRead(ids, nowIso());
        for (const id of ids) {
          setPending(id, false);
          if (readAllInFlight) readByServer.add(id);
        }
        setServerCount(frame.payload.unread_count);
        return;
      }
      default:
        return;
    }
  }

  return {
    state,
    unreadCount: () => Math.max(0, serverCount() - pendingSize()),
    start() {
      unsubscribe.push(socket.onFrame(onFrame));
      unsubscribe.push(socket.onStatus((status) => setState('connection', status)));
      setState('connection', socket.status());
      void reload();
      void refreshCount();
    },
    stop() {
      for (const off of unsubscribe.splice(0)) off();
      viewGeneration += 1;
      resyncGeneration += 1;
      if (settleTimer !== null) timers.clearTimeout(settleTimer);
      if (noticeTimer !== null) timers.clearTimeout(noticeTimer);
      settleTimer = noticeTimer = null;
    },
    reload,
    loadMore,
    async setFilter(filter) {
      if (filter === state.filter) return;
      setState('filter', filter);
      await reload();
    },
    markRead,
    markAllRead,
    resync,
    refreshCount,
    dismissNotice() {
      setState('notice', null);
    },
  };
}
