/**
 * The mutes of the users with a socket on this process, so fan-out can skip muted notifications with a Map lookup
 * and no query. Loaded when a user's socket is upgraded (concurrent loads go together in one query), replaced by
 * `preferences` bus messages, dropped when the user's last local socket closes. Only users who muted something
 * take memory.
 */
import type { Mutes } from '../db/preferences.ts';

export interface MuteCache {
  /** Loads the user's mutes before their socket opens; resolves once they are in place. */
  load(userId: string): Promise<void>;
  /** Takes the mutes a `preferences` bus message carries; `connected`: the user has a socket on this process. */
  set(userId: string, mutes: Mutes, connected: boolean): void;
  /** Forgets the user (their last local socket closed, or they were erased). */
  forget(userId: string): void;
  /** Reloads every user in `userIds` (after a bus gap, when `preferences` messages may have been missed). */
  reload(userIds: Iterable<string>): Promise<void>;
  /** True when the user muted this type or category: the notification is not pushed. */
  muted(userId: string, type: string, category: string | undefined): boolean;
}

interface Entry {
  categories: Set<string>;
  types: Set<string>;
}

/** Creates the cache over `fetchMutes` (users without mutes are absent from its answer). */
export function createMuteCache(fetchMutes: (userIds: string[]) => Promise<Map<string, Mutes>>): MuteCache {
  const entries = new Map<string, Entry>();
  // Users whose load is in flight, with the generation it started in: a `set` meanwhile makes that load stale.
  const loading = new Map<string, number>();
  let generation = 0;
  let batch: { userIds: Set<string>; started: number; done: Promise<void> } | undefined;

  const put = (userId: string, mutes: Mutes | undefined) => {
    if (mutes && (mutes.categories.length > 0 || mutes.types.length > 0)) {
      entries.set(userId, { categories: new Set(mutes.categories), types: new Set(mutes.types) });
    } else entries.delete(userId);
  };

  function fetchTogether(userId: string): Promise<void> {
    if (batch) {
      batch.userIds.add(userId);
      loading.set(userId, batch.started);
      return batch.done;
    }
    const userIds = new Set([userId]);
    const started = ++generation;
    loading.set(userId, started);
    // Every load asked for in this tick goes in one query: a reconnect storm is a few queries, not one per socket.
    const done = Promise.resolve().then(async () => {
      batch = undefined;
      let found: Map<string, Mutes> | undefined;
      try {
        found = await fetchMutes([...userIds]);
      } catch {
        // Fail open: a socket must not depend on Postgres to open; at worst a muted notification is pushed.
      }
      for (const id of userIds) {
        const mark = loading.get(id);
        if (mark === started || mark === -1) loading.delete(id);
        if (mark === started && found) put(id, found.get(id));
      }
    });
    batch = { userIds, started, done };
    return done;
  }

  return {
    load: fetchTogether,
    set(userId, mutes, connected) {
      if (loading.has(userId)) {
        // A load in flight may have read the old row: the message is newer, so that load's answer is dropped.
        loading.set(userId, -1);
      } else if (!connected) {
        // Nobody here to push to: holding the user would only grow the map.
        return void entries.delete(userId);
      }
      put(userId, mutes);
    },
    forget(userId) {
      entries.delete(userId);
    },
    async reload(userIds) {
      const ids = [...new Set(userIds)];
      if (ids.length > 0) await Promise.all(ids.map(fetchTogether));
    },
    muted(userId, type, category) {
      const entry = entries.get(userId);
      if (!entry) return false;
      return entry.types.has(type) || (category !== undefined && entry.categories.has(category));
    },
  };
}
