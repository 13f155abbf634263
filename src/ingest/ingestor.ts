/**
 * Ingest with group commit: concurrent requests are coalesced into one multi-row insert, so 50 single-event
 * requests cost one round trip and one fsync instead of 50. A request resolves only after the insert holding
 * its rows has committed ("201 means committed" is unchanged). Each committed insert is published to the bus
 * as one message, and inserts that commit in the same event-loop turn share it (src/bus/publish-batcher.ts).
 */
import postgres from 'postgres';
import type { Sql } from '../db/client.ts';
import { insertNotifications, type NewNotification } from '../db/notifications.ts';
import { deleteOutboxEntries } from '../db/outbox.ts';
import { toWire } from '../db/notification-wire.ts';
import type { Bus, BusMessage } from '../bus/messages.ts';
import { createPublishBatcher } from '../bus/publish-batcher.ts';
import { outcomeUnknown, unavailable } from '../errors.ts';
import type { Logger } from '../log.ts';

export interface IngestorOptions {
  sql: Sql;
  bus: Bus;
  log: Logger;
  /** Most rows in one insert. */
  maxRows?: number;
  /** Inserts in flight at once; requests arriving meanwhile wait and join the next one. */
  maxInFlight?: number;
  /** How long a request may wait for its insert to start; then it is answered 503 and never inserted. */
  queueTimeoutMs?: number;
  /** Most events waiting for an insert; a request that would pass it is answered 503 at once. */
  maxQueued?: number;
  /** Called with the number of rows each insert created. */
  onCommitted?: (rows: number) => void;
  /** Called when a committed insert's publish fails (it stays in the outbox for the relay). */
  onPublishFailed?: () => void;
  /**
   * Delivers committed rows to this process's own sockets at once; the bus then does not hand the message back to
   * this process (no JSON and zod round trip through Redis for its own sockets).
   */
  deliverLocally?: (message: BusMessage & { kind: 'notifications' }) => void;
}

export interface Ingestor {
  /**
   * Stores the events; resolves with their ids in order once committed. Rejects with 503 when the queue is full,
   * when the insert has not started within the queue timeout, or when `signal` aborts first (the client left);
   * in all three cases nothing is inserted, then or later.
   */
  ingest(events: readonly NewNotification[], options?: { signal?: AbortSignal | undefined }): Promise<string[]>;
  /** Resolves when no insert is in flight or waiting (for shutdown), or after `timeoutMs`, whichever is first. */
  drain(options?: { timeoutMs?: number }): Promise<void>;
}

interface Pending {
  events: readonly NewNotification[];
  resolve(ids: string[]): void;
  reject(error: unknown): void;
  deadline: number;
  /** Set once answered or taken into an insert: then it leaves the queue and its deadline no longer applies. */
  done: boolean;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

// A deadlock or serialization failure is another transaction's timing, not this request's fault: retry the
// statement (nothing of it committed) a few times before answering 503.
const retryableCodes = new Set(['40P01', '40001']);
const statementAttempts = 3;
// Failures before the statement left this process: no connection was made, so nothing can have been stored.
const neverSentCodes = new Set(['CONNECT_TIMEOUT', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** Creates the ingest path: group-committed inserts, then one bus message per event-loop turn of commits. */
export function createIngestor({
  sql,
  bus,
  log,
  maxRows = 1000,
  maxInFlight = 4,
  queueTimeoutMs = 5000,
  maxQueued = 20_000,
  onCommitted,
  onPublishFailed,
  deliverLocally,
}: IngestorOptions): Ingestor {
  const queue: Pending[] = [];
  let queuedEvents = 0;
  let inFlight = 0;
  let scheduled = false;
  let expiryTimer: Timer | undefined;
  let idle: (() => void)[] = [];
  // Published outbox entries are deleted together, a few times a second: one statement for many inserts.
  const published = createOutboxSweeper(sql, log);
  // Inserts that commit in the same turn share one bus message.
  const publisher = createPublishBatcher(bus, { echo: !deliverLocally });

  function leave(pending: Pending) {
    pending.done = true;
    queuedEvents -= pending.events.length;
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
  }

  // Every request waits the same time, so the head of the queue always expires first: one timer, for the head.
  function armExpiry() {
    while (queue.length > 0 && queue[0]!.done) queue.shift();
    if (expiryTimer || queue.length === 0) return;
    expiryTimer = setTimeout(() => {
      expiryTimer = undefined;
      const now = Date.now();
      for (const pending of queue) {
        if (pending.deadline > now) break;
        if (pending.done) continue;
        leave(pending);
        pending.reject(unavailable('The database did not take this request in time; nothing was stored. Retry later.'));
      }
      armExpiry();
    }, Math.max(0, queue[0]!.deadline - Date.now()));
  }

  function schedule() {
    if (scheduled || inFlight >= maxInFlight || queuedEvents === 0) return;
    scheduled = true;
    // A microtask lets every request parsed in this tick join the same insert.
    queueMicrotask(() => {
      scheduled = false;
      while (inFlight < maxInFlight && queuedEvents > 0) void flush(take());
    });
  }

  function take(): Pending[] {
    const group: Pending[] = [];
    let rows = 0;
    while (queue.length > 0) {
      const next = queue[0]!;
      if (next.done) {
        queue.shift();
        continue;
      }
      if (group.length > 0 && rows + next.events.length > maxRows) break;
      queue.shift();
      leave(next);
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
      if (inFlight === 0 && queuedEvents === 0) {
        for (const resolve of idle) resolve();
        idle = [];
      }
    }
  }

  async function insertOnce(events: readonly NewNotification[]) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await insertNotifications(sql, events);
      } catch (error) {
        if (!(error instanceof postgres.PostgresError) || !retryableCodes.has(error.code) || attempt >= statementAttempts) throw error;
        await Bun.sleep(5 + Math.random() * 20 * attempt);
      }
    }
  }

  async function insertGroup(group: Pending[]) {
    const events = group.flatMap((pending) => pending.events);
    let result: Awaited<ReturnType<typeof insertNotifications>>;
    try {
      result = await insertOnce(events);
    } catch (error) {
      // One request's bad row must not fail its neighbours: retry each on its own. Only when Postgres answered the
      // statement with an error, though: then it did not commit. Any other failure (the connection dropped while
      // the answer was on its way) may have come after the commit, and a retry would store the group twice.
      const rolledBack = error instanceof postgres.PostgresError && !retryableCodes.has(error.code);
      if (group.length > 1 && rolledBack) return void (await Promise.all(group.map((pending) => insertGroup([pending]))));
      // Postgres answered (an error: rolled back) or nothing was ever sent: "nothing stored" is true. Otherwise the
      // statement may have committed with its answer lost, and the caller must be told so.
      const unknown = !(error instanceof postgres.PostgresError) && !neverSentCodes.has((error as { code?: unknown } | null)?.code as string);
      for (const pending of group) pending.reject(unknown ? outcomeUnknown() : error);
      return;
    }
    if (result.created.length > 0) {
      onCommitted?.(result.created.length);
      const items = result.created.map((row) => ({ user_id: row.user_id, ...toWire(row) }));
      const outboxId = result.outboxId;
      const message = { kind: 'notifications' as const, items };
      if (deliverLocally) deliverLocally(message);
      publisher
        .publish(items)
        .then(() => outboxId && published.add(outboxId))
        .catch((error: unknown) => {
          // Committed, and still in the outbox: the relay publishes it once the bus (or Postgres) answers again.
          onPublishFailed?.();
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
    ingest(events, { signal } = {}) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(unavailable('The client went away before the insert started; nothing was stored.'));
        // An empty queue takes any request, so a batch larger than the cap still goes through.
        if (queuedEvents > 0 && queuedEvents + events.length > maxQueued) {
          return reject(unavailable('Too many events are waiting for the database; nothing was stored. Retry later.'));
        }
        const pending: Pending = { events, resolve, reject, deadline: Date.now() + queueTimeoutMs, done: false, signal, onAbort: undefined };
        if (signal) {
          pending.onAbort = () => {
            if (pending.done) return;
            leave(pending);
            reject(unavailable('The client went away before the insert started; nothing was stored.'));
          };
          signal.addEventListener('abort', pending.onAbort, { once: true });
        }
        queue.push(pending);
        queuedEvents += events.length;
        armExpiry();
        schedule();
      });
    },
    async drain({ timeoutMs } = {}) {
      // An insert the database never answers must not hold shutdown past its deadline.
      const within = (work: Promise<void>) => (timeoutMs === undefined ? work : Promise.race([work, Bun.sleep(Math.max(0, deadline - Date.now()))]));
      const deadline = Date.now() + (timeoutMs ?? 0);
      if (inFlight > 0 || queuedEvents > 0) await within(new Promise<void>((resolve) => idle.push(resolve)));
      await within(published.flush());
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
