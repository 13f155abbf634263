/**
 * Catching up after a gap (reconnect, RESYNC): refetch the top of the list down to the oldest item
 * shown, then fold those pages into what is shown, so nothing missed is left out, nothing is doubled,
 * reads made elsewhere are seen, and order holds. Pure apart from the page requests.
 */
import type { NotificationApi } from './api.ts';
import { isAtOrOlder, keepRead, mergeById, newestFirst } from './order.ts';
import type { BelfryNotification, Filter } from './types.ts';

/** The refetched top of the list. */
export interface Refetch {
  items: BelfryNotification[];
  cursor: string | null;
  /** The server has nothing older than these pages. */
  reachedEnd: boolean;
  /** The pages reach back to the newest item shown before the gap. */
  bridged: boolean;
}

/** Fetches pages from the top until they cover `shown` (or `maxPages`); null if `isStale()` turns true. */
export async function refetchTop(
  api: Pick<NotificationApi, 'list'>,
  shown: readonly BelfryNotification[],
  {
    status,
    category = null,
    limit,
    maxPages,
    isStale,
  }: { status: Filter; category?: string | null; limit: number; maxPages: number; isStale: () => boolean },
): Promise<Refetch | null> {
  const newest = shown[0];
  const oldestShown = shown.at(-1);
  const result: Refetch = { items: [], cursor: null, reachedEnd: false, bridged: false };
  for (let page = 0; page < maxPages; page += 1) {
    const { items, nextCursor } = await api.list({ status, category, limit, cursor: result.cursor });
    if (isStale()) return null;
    result.items.push(...items);
    result.cursor = nextCursor;
    const last = items.at(-1);
    if (!nextCursor) {
      result.reachedEnd = true;
      break;
    }
    if (newest && last && isAtOrOlder(last, newest)) result.bridged = true;
    if (!oldestShown || (last && isAtOrOlder(last, oldestShown))) break;
  }
  return result;
}

/** What the list becomes: its items, and the cursor for older pages (undefined: keep the current one). */
export interface Reconciled {
  items: BelfryNotification[];
  nextCursor: string | null | undefined;
  /** The gap could not be bridged: the list started over from the refetched pages. */
  restarted: boolean;
}

/**
 * Folds `refetch` into `current` (the list now, which may hold pushes newer than the refetch);
 * `shown` is the list as it was when the refetch began.
 */
export function reconcile(
  shown: readonly BelfryNotification[],
  current: readonly BelfryNotification[],
  refetch: Refetch,
  { filter, readAt }: { filter: Filter; readAt: string },
): Reconciled {
  const oldest = refetch.items.at(-1);
  const covered = (item: BelfryNotification) =>
    refetch.reachedEnd || (oldest !== undefined && newestFirst(item, oldest) <= 0);

  if (!refetch.reachedEnd && !refetch.bridged) {
    // Nothing was shown, or too much was missed to bridge: start over from these pages, keeping
    // only pushes at least as new as them (they may have arrived while fetching).
    return {
      items: mergeById(current.filter(covered), refetch.items, keepRead),
      nextCursor: refetch.cursor,
      restarted: true,
    };
  }
  let items = mergeById(current, refetch.items, keepRead);
  const listed = new Set(refetch.items.map((item) => item.id));
  if (refetch.reachedEnd) {
    // The pages are everything the server has for this view: an item shown before the gap that they no longer
    // list was erased (or, in the unread view, read elsewhere). Erased text must not stay on screen. Pushes that
    // arrived during the refetch were not shown before it and stay.
    const before = new Set(shown.map((item) => item.id));
    items = items.filter((item) => !before.has(item.id) || listed.has(item.id));
  } else if (filter === 'unread') {
    // In the unread view, an item shown before the gap, inside the refetched range, that the server
    // no longer lists was read elsewhere while this tab was not listening.
    const before = new Set(shown.map((item) => item.id));
    items = items.map((item) =>
      item.read_at === null && before.has(item.id) && !listed.has(item.id) && covered(item)
        ? { ...item, read_at: readAt }
        : item,
    );
  }
  const oldestShown = shown.at(-1);
  const reachedOldest = !oldestShown || (oldest !== undefined && isAtOrOlder(oldest, oldestShown));
  // Past the oldest item shown, older pages continue from the refetch's cursor; short of it, from the old one.
  const nextCursor = refetch.reachedEnd ? null : reachedOldest ? refetch.cursor : undefined;
  return { items, nextCursor, restarted: false };
}
