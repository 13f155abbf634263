/**
 * Ingest with group commit: concurrent requests are coalesced into one multi-row insert, so 50 single-event
 * requests cost one round trip and one fsync instead of 50. A request resolves only after the insert holding
 * its rows has committed ("201 means committed" is unchanged). Each committed insert is published to the bus
 * as one message.
 */
import type { Sql } from '../db/client.ts';
import { deleteOutboxEntry, insertNotifications, type NewNotification } from '../db/notifications.ts';
import type { Bus } from '../bus/messages.ts';
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
export function createIngestor({ sql, bus, log, maxRows = 1000, maxInFlight = 4, onCommitted }: IngestorOptions): Ingestor {
  const queue: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;
  let idle: (() => void)[] = [];

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
      const items = result.created.map((row) => ({ ...row, created_at: row.created_at.toISOString() }));
      const outboxId = result.outboxId;
      bus
        .publish({ kind: 'notifications', items })
        .then(async () => {
          if (outboxId) await deleteOutboxEntry(sql, outboxId);
        })
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
    drain() {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
}
