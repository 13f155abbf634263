/**
 * Ingest with group commit: concurrent requests are coalesced into one multi-row insert, so 50 single-event
 * requests cost one round trip and one fsync instead of 50. A request resolves only after the insert holding
 * its rows has committed ("201 means committed" is unchanged). Each committed insert is published to the bus
 * as one message.
 */
import type { Sql } from '../db/client.ts';
import { deleteOutboxEntries, insertNotifications, type NewNotification } from '../db/notifications.ts';
import { toWire } from '../db/notification-wire.ts';
import type { Bus, BusMessage } from '../bus/messages.ts';
import type { Logger } from '../log.ts';

export interface IngestorOptions {
  sql: Sql;
  bus: Bus;
  log: Logger;
  /** Most rows in one insert. */
  maxRows?: number;
  /** Inserts in flight at once; requests arriving meanwhile wait and join the next one. */
  maxInFlight?: number;
  /** Called with the number of rows each insert created. */
  onCommitted?: (rows: number) => void;
  /**
   * Delivers committed rows to this process's own sockets at once; the bus message then carries `origin` so this
   * process skips it on receipt (no JSON and zod round trip through Redis for its own sockets).
   */
  deliverLocally?: (message: BusMessage & { kind: 'notifications' }) => void;
  /** This process's id, written as the bus message's origin. */
  origin?: string;
}

export interface Ingestor {
  /** Stores the events; resolves with their ids in order once committed. */
  ingest(events: readonly NewNotification[]): Promise<string[]>;
  /** Resolves when no insert is in flight or waiting (for shutdown). */
  drain(): Promise<void>;
}

interface Pending {
  events: readonly NewNotification[];
  resolve(ids: string[]): void;
  reject(error: unknown): void;
}

/** Creates the ingest path: group-committed inserts followed by one bus message per insert. */
export function createIngestor({ sql, bus, log, maxRows = 1000, maxInFlight = 4, onCommitted, deliverLocally, origin }: IngestorOptions): Ingestor {
  const queue: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;
  let idle: (() => void)[] = [];
  // Published outbox entries are deleted together, a few times a second: one statement for many inserts.
  const published = createOutboxSweeper(sql, log);

  function schedule() {
    if (scheduled || inFlight >= maxInFlight || queue.length === 0) return;
    scheduled = true;
    // A microtask lets every request parsed in this tick join the same insert.
    queueMicrotask(() => {
      scheduled = false;
      while (inFlight < maxInFlight && queue.length > 0) void flush(take());
    });
  }

  function take(): Pending[] {
    const group: Pending[] = [];
    let rows = 0;
    while (queue.length > 0 && (group.length === 0 || rows + queue[0]!.events.length <= maxRows)) {
      const next = queue.shift()!;
      rows += next.events.length;
      group.push(next);
    }
    return group;
  }

  async function flush(group: Pending[]) {
    inFlight++;
    try {
      await insertGroup(group);
    } finally {
      inFlight--;
      schedule();
      if (inFlight === 0 && queue.length === 0) {
        for (const resolve of idle) resolve();
        idle = [];
      }
    }
  }

  async function insertGroup(group: Pending[]) {
    const events = group.flatMap((pending) => pending.events);
    let result: Awaited<ReturnType<typeof insertNotifications>>;
    try {
      result = await insertNotifications(sql, events);
    } catch (error) {
      // One request's bad row must not fail its neighbours: retry each on its own.
      if (group.length > 1) return void (await Promise.all(group.map((pending) => insertGroup([pending]))));
      return group[0]!.reject(error);
    }
    if (result.created.length > 0) {
      onCommitted?.(result.created.length);
      const items = result.created.map((row) => ({ user_id: row.user_id, ...toWire(row) }));
      const outboxId = result.outboxId;
      // `origin` first: it leads the serialised message, so the Redis bus can drop its own echo before parsing it.
      const message = { ...(deliverLocally && origin ? { origin } : {}), kind: 'notifications' as const, items };
      if (deliverLocally && origin) deliverLocally(message);
      bus
        .publish(message)
        .then(() => outboxId && published.add(outboxId))
        .catch((error: unknown) => {
          // Committed, and still in the outbox: the relay publishes it once the bus (or Postgres) answers again.
          log.warn({ err: (error as Error)?.message, count: items.length }, 'ingest: publish failed after commit; left to the outbox relay');
        });
    }
    let offset = 0;
    for (const pending of group) {
      pending.resolve(result.ids.slice(offset, offset + pending.events.length));
      offset += pending.events.length;
    }
  }

  return {
    ingest(events) {
      return new Promise((resolve, reject) => {
        queue.push({ events, resolve, reject });
        schedule();
      });
    },
    async drain() {
      if (inFlight > 0 || queue.length > 0) await new Promise<void>((resolve) => idle.push(resolve));
      await published.flush();
    },
  };
}

/** Collects published outbox ids and deletes them in one statement every `everyMs`. */
function createOutboxSweeper(sql: Sql, log: Logger, everyMs = 100) {
  let pending: string[] = [];
  let timer: Timer | undefined;
  async function flush() {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const ids = pending;
    pending = [];
    // A failed delete only means the relay republishes those batches (repeats are dropped by the gateways).
    await deleteOutboxEntries(sql, ids).catch((error: unknown) => log.debug({ err: (error as Error)?.message }, 'outbox: delete failed'));
  }
  return {
    add(id: string) {
      pending.push(id);
      timer ??= setTimeout(() => void flush(), everyMs);
    },
    flush,
  };
}
