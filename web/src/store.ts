/**
 * The panel's domain state: one user's notifications for the current view, merged from REST pages,
 * WebSocket pushes and changes (deduplicated by id, ordered newest first), with optimistic reads,
 * unreads, archiving and deletes rolled back on failure, emptied when the server erases them, and the
 * unread count (see unread-count.ts).
 * Uses only `createStore`/`createSignal` (no effects or memos), so it also runs as plain state
 * under `bun test`, where solid-js resolves to its server build.
 */
import { createStore, unwrap } from 'solid-js/store';
import type { NotificationApi } from './api.ts';
import { insertSorted, keepRead, mergeById } from './order.ts';
import { reconcile, refetchTop } from './reconcile.ts';
import { browserTimers, type Timers } from './timers.ts';
import type { BelfryNotification, Filter, Frame, SocketStatus } from './types.ts';
import { createUnreadCount } from './unread-count.ts';

/** The part of the socket the store listens to. */
export interface StoreSocket {
  onFrame(listener: (frame: Frame) => void): () => void;
  onStatus(listener: (status: SocketStatus) => void): () => void;
  status(): SocketStatus;
}

/** What went wrong, for the panel to say in the user's language (see i18n.ts). */
export type Notice = 'readFailed' | 'readAllFailed' | 'unreadFailed' | 'archiveFailed' | 'unarchiveFailed' | 'deleteFailed';

/** Everything the panel renders. */
export interface NotificationState {
  items: BelfryNotification[];
  filter: Filter;
  /** Only this category's notifications (a category tab), or all. */
  category: string | null;
  phase: 'loading' | 'ready' | 'error';
  nextCursor: string | null;
  loadingMore: boolean;
  moreFailed: boolean;
  notice: Notice | null;
  connection: SocketStatus;
  /** Ids that were unseen when this visit of the panel showed them ("new since you last looked"). */
  fresh: string[];
}

/** Options for {@link createNotificationStore}. */
export interface StoreOptions {
  pageSize?: number;
  /** How many pages a resync may fetch to bridge a gap before it starts the list over. */
  maxResyncPages?: number;
  /** Quiet time after a burst of changes before the count is re-read from the server. */
  countSettleMs?: number;
  noticeMs?: number;
  now?: () => number;
  timers?: Timers;
  /** A notification arrived live (not a repeat of one already shown). */
  onNotification?: (item: BelfryNotification) => void;
}

/** The store the components read and call. */
export interface NotificationStore {
  readonly state: NotificationState;
  /** Unread count to show: the server's count minus reads still in flight. */
  unreadCount(): number;
  /** How many in the inbox the user has not been shown yet (0 from a server that does not track it). */
  unseenCount(): number;
  start(): void;
  stop(): void;
  reload(): Promise<void>;
  loadMore(): Promise<void>;
  /** Switches the view: a status tab, or (with `category`) a category tab. */
  setFilter(filter: Filter, category?: string | null): Promise<void>;
  markRead(id: string): Promise<void>;
  markAllRead(): Promise<void>;
  markUnread(id: string): Promise<void>;
  archive(id: string): Promise<void>;
  unarchive(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  /** Tells a server that tracks it that the unseen items shown have now been seen. */
  markSeen(): Promise<void>;
  /** The panel closed: what it marked as new is now just seen. */
  clearFresh(): void;
  resync(): Promise<void>;
  /** Re-reads the unread count from the server (and resyncs the list if it shows a missed push). */
  refreshCount(heal?: boolean): Promise<void>;
  dismissNotice(): void;
}

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
    timers = browserTimers,
    onNotification,
  }: StoreOptions = {},
): NotificationStore {
  const [state, setState] = createStore<NotificationState>({
    items: [],
    filter: 'unread',
    category: null,
    phase: 'loading',
    nextCursor: null,
    loadingMore: false,
    moreFailed: false,
    notice: null,
    connection: socket.status(),
    fresh: [],
  });
  const count = createUnreadCount(api, { timers, settleMs: countSettleMs, onMissed: () => void resync() });

  let readAllInFlight = false;
  let readByServer = new Set<string>(); // ids READ frames confirmed while read-all was in flight
  let viewGeneration = 0; // bumped when the list is replaced, to discard stale pages
  let resyncGeneration = 0;
  let resyncAfterLoad = false;
  let noticeTimer: unknown = null;
  let tracksSeen = false; // the server lists seen_at, so pushes start unseen too
  const unsubscribe: Array<() => void> = [];

  const items = () => unwrap(state.items);
  const nowIso = () => new Date(now()).toISOString();
  const setRead = (ids: ReadonlySet<string>, readAt: string | null) =>
    setState('items', (item) => ids.has(item.id) && (readAt === null) !== (item.read_at === null), 'read_at', readAt);
  const view = () => ({ status: state.filter, category: state.category });
  const without = (ids: ReadonlySet<string>) => setState('items', items().filter((item) => !ids.has(item.id)));
  const showNotice = (message: Notice) => {
    if (noticeTimer !== null) timers.clearTimeout(noticeTimer);
    setState('notice', message);
    noticeTimer = timers.setTimeout(() => {
      noticeTimer = null;
      setState('notice', null);
    }, noticeMs);
  };
  /** Unread items a page brings that no push announced: a count read before they committed is stale. */
  const noteUnseen = (page: readonly BelfryNotification[]) => {
    tracksSeen ||= page.some((item) => item.seen_at !== undefined);
    const known = new Set(items().map((item) => item.id));
    if (page.some((item) => item.read_at === null && !known.has(item.id))) count.settleSoon();
  };

  /**
   * Loads the view's first page. `keep` leaves the rows on screen until it lands, then replaces them (muting
   * changed which rows the view holds, so merging would keep the muted ones).
   */
  async function reload(keep = false): Promise<void> {
    const generation = ++viewGeneration;
    const before = new Set(keep ? items().map((item) => item.id) : []);
    setState({ phase: 'loading', nextCursor: null, loadingMore: false, moreFailed: false, ...(keep ? {} : { items: [] }) });
    try {
      const page = await api.list({ ...view(), limit: pageSize });
      if (generation !== viewGeneration) return;
      noteUnseen(page.items);
      // Pushes that arrived while loading are already in the list: merge, don't replace.
      const kept = items().filter((item) => !before.has(item.id));
      setState({ items: mergeById(kept, page.items, keepRead), nextCursor: page.nextCursor, phase: 'ready' });
    } catch {
      if (generation === viewGeneration) setState('phase', 'error');
    }
    if (generation === viewGeneration && resyncAfterLoad) {
      resyncAfterLoad = false;
      await resync();
    }
  }

  async function resync(): Promise<void> {
    void count.refresh();
    if (state.phase === 'loading') {
      // The load in flight may predate the socket's READY: run again once it lands.
      resyncAfterLoad = true;
      return;
    }
    if (state.phase === 'error') return reload();
    const generation = viewGeneration;
    const mine = ++resyncGeneration;
    const shown = [...items()];
    let refetch: Awaited<ReturnType<typeof refetchTop>>;
    try {
      refetch = await refetchTop(api, shown, {
        ...view(),
        limit: pageSize,
        maxPages: maxResyncPages,
        isStale: () => generation !== viewGeneration || mine !== resyncGeneration,
      });
    } catch {
      return; // Keep what is shown; the next reconnect or RESYNC tries again.
    }
    if (!refetch) return;
    noteUnseen(refetch.items);
    const next = reconcile(shown, items(), refetch, { filter: state.filter, readAt: nowIso() });
    if (next.restarted) {
      viewGeneration += 1; // a loadMore in flight continues a list that no longer exists
      setState({ loadingMore: false });
    }
    setState({ items: next.items, ...(next.nextCursor === undefined ? {} : { nextCursor: next.nextCursor }) });
  }

  async function loadMore(): Promise<void> {
    if (state.phase !== 'ready' || state.loadingMore || !state.nextCursor) return;
    const generation = viewGeneration;
    setState({ loadingMore: true, moreFailed: false });
    try {
      const page = await api.list({ ...view(), limit: pageSize, cursor: state.nextCursor });
      if (generation !== viewGeneration) return;
      setState({ items: mergeById(items(), page.items, keepRead), nextCursor: page.nextCursor, loadingMore: false });
    } catch {
      if (generation === viewGeneration) setState({ loadingMore: false, moreFailed: true });
    }
  }

  async function markRead(id: string): Promise<void> {
    const item = items().find((candidate) => candidate.id === id);
    if (!item || item.read_at !== null || !count.hold(id)) return;
    const ids = new Set([id]);
    setRead(ids, nowIso());
    try {
      await api.markRead(id);
      // Unless a READ frame already brought the authoritative count, account for this read.
      if (count.release(id)) count.adjust(-1);
    } catch {
      if (count.release(id)) {
        setRead(ids, null);
        showNotice('readFailed');
      }
    }
    count.changed();
  }

  async function markAllRead(): Promise<void> {
    if (readAllInFlight) return;
    const ids = new Set(items().filter((item) => item.read_at === null).map((item) => item.id));
    const before = count.server();
    readAllInFlight = true;
    readByServer = new Set();
    count.setBulk(true);
    setRead(ids, nowIso());
    count.set(0);
    try {
      await api.markAllRead();
    } catch {
      for (const id of readByServer) ids.delete(id);
      setRead(ids, null);
      count.set(before);
      showNotice('readAllFailed');
    }
    readAllInFlight = false;
    count.setBulk(false);
    count.changed();
    // Something may have arrived (and stayed unread) while the call ran: ask for the real count.
    await count.refresh();
  }

  async function markUnread(id: string): Promise<void> {
    const item = items().find((candidate) => candidate.id === id);
    if (!item || item.read_at === null) return;
    const ids = new Set([id]);
    const readAt = item.read_at;
    setRead(ids, null);
    // An estimate until a CHANGED frame or the settled re-read brings the server's count.
    count.adjust(1);
    try {
      await api.markUnread(id);
    } catch {
      setRead(ids, readAt);
      count.adjust(-1);
      showNotice('unreadFailed');
    }
    count.changed();
    count.settleSoon();
  }

  /** Takes `id` out of the list at once; puts it back (and says so) if the server refuses. */
  async function removeFromView(id: string, call: () => Promise<void>, failure: Notice): Promise<void> {
    const item = items().find((candidate) => candidate.id === id);
    if (!item) return;
    const generation = viewGeneration;
    without(new Set([id]));
    try {
      await call();
    } catch {
      if (generation === viewGeneration && !items().some((candidate) => candidate.id === id)) {
        setState('items', insertSorted(items(), item));
      }
      showNotice(failure);
      return;
    }
    // Archived or deleted unread items may leave the count: the server says by how much.
    count.changed();
    void count.refresh();
  }

  async function markSeen(): Promise<void> {
    // Only a server that lists `seen_at` tracks it; today's server never sends the key.
    const ids = items()
      .filter((item) => item.seen_at === null)
      .slice(0, 100)
      .map((item) => item.id);
    if (ids.length === 0) return;
    const seen = new Set(ids);
    setState('items', (item) => seen.has(item.id), 'seen_at', nowIso());
    // New to the user on this visit: marked as such until the panel closes.
    setState('fresh', (fresh) => [...fresh, ...ids]);
    try {
      // The unseen count follows through the CHANGED frame this causes.
      await api.markSeen(ids);
    } catch {
      // Seen is a hint for the badge, not data the user made: the next open tries again.
      setState('items', (item) => seen.has(item.id) && item.seen_at !== null, 'seen_at', null);
    }
  }

  function onChanged({ change, ids, unread_count }: Extract<Frame, { type: 'CHANGED' }>['payload']) {
    const changed = new Set(ids);
    const known = new Set(items().map((item) => item.id));
    if (change === 'read' || change === 'unread') {
      setRead(changed, change === 'read' ? nowIso() : null);
      if (change === 'read') for (const id of changed) count.release(id);
      // Unread elsewhere, and not in this list: the unread view has to fetch it.
      if (change === 'unread' && ids.some((id) => !known.has(id))) void resync();
    } else if (change === 'seen') {
      setState('items', (item) => changed.has(item.id) && !item.seen_at, 'seen_at', nowIso());
      // The frame's count is unchanged by seeing; the unseen count is not in it.
      void count.refresh();
    } else if (change === 'deleted' || (change === 'archived') !== (state.filter === 'archived')) {
      // Gone from this view: deleted, archived while not looking at the archive, or unarchived while looking.
      without(changed);
    } else {
      // Moved into this view: only a fetch brings their rows.
      void resync();
    }
    count.set(unread_count);
  }

  function onFrame(frame: Frame) {
    switch (frame.type) {
      case 'RESYNC':
        if (frame.payload.reason === 'preferences_changed') {
          // Mutes changed which rows the view holds and what the badge counts: read both again.
          void count.refresh();
          void reload(true);
          return;
        }
        void resync();
        return;
      case 'READY':
        void resync();
        return;
      case 'NOTIFICATION': {
        count.changed();
        count.settleSoon();
        // Already brought by a page: not counted again (the settled re-read squares the count).
        if (items().some((item) => item.id === frame.payload.id)) return;
        const item: BelfryNotification = { ...frame.payload, read_at: null, ...(tracksSeen ? { seen_at: null } : {}) };
        // New items are never archived and may lie outside the category shown.
        if (state.filter !== 'archived' && (!state.category || state.category === item.category)) {
          setState('items', insertSorted(items(), item));
        }
        // Announced before the count moves, so a host sees the notification before the count it raised.
        onNotification?.(item);
        count.adjust(1);
        count.adjustUnseen(1);
        return;
      }
      case 'CHANGED':
        onChanged(frame.payload);
        return;
      case 'READ': {
        const ids = new Set(frame.payload.ids);
        setRead(ids, nowIso());
        for (const id of ids) {
          count.release(id);
          if (readAllInFlight) readByServer.add(id);
        }
        count.set(frame.payload.unread_count);
        return;
      }
      case 'ERASED':
        // Everything was deleted on the server: empty at once, then refetch (pages in flight are discarded).
        count.set(0);
        void reload();
        return;
      default:
        return;
    }
  }

  return {
    state,
    unreadCount: count.shown,
    unseenCount: count.unseen,
    start() {
      unsubscribe.push(socket.onFrame(onFrame));
      unsubscribe.push(socket.onStatus((status) => setState('connection', status)));
      setState('connection', socket.status());
      void reload();
      void count.refresh();
    },
    stop() {
      for (const off of unsubscribe.splice(0)) off();
      viewGeneration += 1;
      resyncGeneration += 1;
      count.stop();
      if (noticeTimer !== null) timers.clearTimeout(noticeTimer);
      noticeTimer = null;
    },
    reload,
    loadMore,
    async setFilter(filter, category = null) {
      if (filter === state.filter && category === state.category) return;
      setState({ filter, category });
      await reload();
    },
    markRead,
    markAllRead,
    markUnread,
    archive: (id) => removeFromView(id, () => api.archive([id]), 'archiveFailed'),
    unarchive: (id) => removeFromView(id, () => api.unarchive([id]), 'unarchiveFailed'),
    remove: (id) => removeFromView(id, () => api.remove(id), 'deleteFailed'),
    markSeen,
    clearFresh() {
      setState('fresh', []);
    },
    resync,
    refreshCount: count.refresh,
    dismissNotice() {
      setState('notice', null);
    },
  };
}
