/**
 * The outbox relay: every second, publishes outbox entries whose own process did not (it died between commit and
 * publish, or the bus was away) and removes them. Runs on every process; row locks keep them from doubling up.
 */
import type { Sql } from '../db/client.ts';
import { relayOutbox } from '../db/notifications.ts';
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
}

/** Starts the relay; the returned function stops it. */
export function startOutboxRelay({ sql, bus, log, intervalMs, minAgeMs }: OutboxRelayOptions): () => void {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const relayed = await relayOutbox(sql, async (rows) => {
        for (let start = 0; start < rows.length; start += 1000) {
          const items = rows.slice(start, start + 1000).map((row) => ({ user_id: row.user_id, ...toWire(row) }));
          await bus.publish({ kind: 'notifications', items });
        }
      }, { minAgeMs });
      if (relayed > 0) log.info({ relayed }, 'outbox: published notifications their own process did not');
    } catch (error) {
      log.debug({ err: (error as Error)?.message }, 'outbox: relay pass failed; retrying');
    } finally {
      running = false;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
