/**
 * The panel's one ordering rule, the API's: `created_at` descending, then `id` descending.
 * Merging is by id, so a notification seen both as a push and in a page is shown once.
 */
import type { BelfryNotification } from './types.ts';

type Sortable = Pick<BelfryNotification, 'id' | 'created_at'>;

/** Compares two decimal id strings numerically without converting them (they are 64-bit). */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sort comparator: negative when `a` is newer than `b` (comes first in the list). */
export function newestFirst(a: Sortable, b: Sortable): number {
  const ta = Date.parse(a.created_at);
  const tb = Date.parse(b.created_at);
  if (ta !== tb) return tb - ta;
  return compareIds(b.id, a.id);
}

/**
 * Merges `incoming` into `existing` by id and returns a new, sorted list.
 * `pick` decides what a known id becomes when it appears again (default: keep the incoming copy).
 */
export function mergeById(
  existing: readonly BelfryNotification[],
  incoming: readonly BelfryNotification[],
  pick: (known: BelfryNotification, fresh: BelfryNotification) => BelfryNotification = (_, fresh) => fresh,
): BelfryNotification[] {
  const byId = new Map<string, BelfryNotification>();
  for (const item of existing) byId.set(item.id, item);
  for (const item of incoming) {
    const known = byId.get(item.id);
    byId.set(item.id, known ? pick(known, item) : item);
  }
  return [...byId.values()].sort(newestFirst);
}

/** True when `item` sorts at or after `boundary` (it is as old as the boundary, or older). */
export function isAtOrOlder(item: Sortable, boundary: Sortable): boolean {
  return newestFirst(item, boundary) >= 0;
}

/** Returns a new list with `item` inserted at its sorted place (pushes land near the top: scan from there). */
export function insertSorted(items: readonly BelfryNotification[], item: BelfryNotification): BelfryNotification[] {
  let index = 0;
  while (index < items.length && newestFirst(items[index]!, item) < 0) index += 1;
  return [...items.slice(0, index), item, ...items.slice(index)];
}

/**
 * A page may have left the server before a READ frame that this tab already applied: keep whichever copy
 * says read. An unread made here or elsewhere arrives as a CHANGED frame, which sets the state directly.
 */
export function keepRead(known: BelfryNotification, fresh: BelfryNotification): BelfryNotification {
  return known.read_at !== null || fresh.read_at === null ? known : { ...known, read_at: fresh.read_at };
}
