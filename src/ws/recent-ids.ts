/**
 * A bounded memory of recently delivered notification ids, so a notification published twice (by its own process
 * and by the outbox relay) reaches each socket once. Two generations: memory stays at most 2 × capacity ids.
 */
export interface RecentIds {
  /** True the first time an id is seen within the window, false for a repeat. */
  firstTime(id: string): boolean;
}

/** Creates the set; it forgets the oldest generation once the current one holds `capacity` ids. */
export function createRecentIds(capacity = 50_000): RecentIds {
  let current = new Set<string>();
  let previous = new Set<string>();
  return {
    firstTime(id) {
      if (current.has(id) || previous.has(id)) return false;
      if (current.size >= capacity) {
        previous = current;
        current = new Set();
      }
      current.add(id);
      return true;
    },
  };
}
