/**
 * The outbox relay: every `intervalMs`, publishes outbox entries whose own process did not (it died between commit
 * and publish, or the bus was away) and removes them. Runs on every process. Entries are claimed with a lease and
 * published outside any transaction (see src/db/outbox.ts); a pass that comes back with entries is followed by the
 * next at once, so a backlog drains as fast as Postgres and the bus allow, not a batch per interval.
 */
import type { Sql } from '../db/client.ts';
import { claimOutboxEntries, deleteOutboxEntries, deliverableNotifications, releaseOutboxEntries } from '../db/outbox.ts';
import { toWire } from '../db/notification-wire.ts';
import type { Bus } from '../bus/messages.ts';
import type { Logger } from '../log.ts';

export interface OutboxRelayOptions {
  sql: Sql;
  bus: Bus;
  log: Logger;
  intervalMs: number;
  /** Entries younger than this are left to the process that wrote them. */
  minAgeMs: number;
  /** How long a claim keeps other relays off the entries. */
  leaseMs: number;
  /** Told how many notifications each pass published (metrics). */
  onRelayed?: ((count: number) => void) | undefined;
  /** Told when a pass's publish failed (metrics). */
  onPublishFailed?: (() => void) | undefined;
}

// One pass: at most this many entries, and about this many notifications (a bus message carries 1000 at most).
const entriesPerPass = 500;
const rowsPerPass = 5000;
const itemsPerMessage = 1000;

/** Starts the relay; the returned function stops it. */
export function startOutboxRelay({ sql, bus, log, intervalMs, minAgeMs, leaseMs, onRelayed, onPublishFailed }: OutboxRelayOptions): () => void {
  let running = false;
  let stopped = false;

  async function pass(): Promise<{ entries: number; relayed: number }> {
    const entries = await claimOutboxEntries(sql, { minAgeMs, leaseMs, entries: entriesPerPass, rows: rowsPerPass });
    if (entries.length === 0) return { entries: 0, relayed: 0 };
    const entryIds = entries.map((entry) => entry.id);
    try {
      const rows = await deliverableNotifications(sql, entries.flatMap((entry) => entry.notification_ids));
      for (let start = 0; start < rows.length; start += itemsPerMessage) {
        const items = rows.slice(start, start + itemsPerMessage).map((row) => ({ user_id: row.user_id, ...toWire(row) }));
        await bus.publish({ kind: 'notifications', items }).catch((error: unknown) => {
          onPublishFailed?.();
          throw error;
        });
      }
      await deleteOutboxEntries(sql, entryIds);
      onRelayed?.(rows.length);
      return { entries: entries.length, relayed: rows.length };
    } catch (error) {
      // Hand the entries back now rather than at the end of the lease: the next pass (here or elsewhere) retries them.
      await releaseOutboxEntries(sql, entryIds).catch(() => {});
      throw error;
    }
  }

  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    let relayed = 0;
    try {
      for (let result = await pass(); result.entries > 0 && !stopped; result = await pass()) relayed += result.relayed;
    } catch (error) {
      log.debug({ err: (error as Error)?.message }, 'outbox: relay pass failed; retrying');
    } finally {
      running = false;
      if (relayed > 0) log.info({ relayed }, 'outbox: published notifications their own process did not');
    }
  }, intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
