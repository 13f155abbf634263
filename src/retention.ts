/**
 * Retention: with RETENTION_DAYS set, read notifications read longer ago than that are deleted, in batches of
 * 1000 with a pause between them, so no transaction holds locks for long and ingest never waits behind it.
 */
import type { Sql } from './db/client.ts';
import { deleteReadBefore } from './db/notifications.ts';
import type { Logger } from './log.ts';

export interface RetentionOptions {
  sql: Sql;
  log: Logger;
  days: number;
  batchSize?: number;
  pauseMs?: number;
  now?: () => number;
}

/** Deletes every read notification past retention, batch by batch; returns how many. */
export async function applyRetention({ sql, days, batchSize = 1000, pauseMs = 50, now = Date.now }: Omit<RetentionOptions, 'log'>): Promise<number> {
  const cutoff = new Date(now() - days * 24 * 3600 * 1000);
  let total = 0;
  for (;;) {
    const deleted = await deleteReadBefore(sql, cutoff, batchSize);
    total += deleted;
    if (deleted < batchSize) return total;
    await Bun.sleep(pauseMs);
  }
}

/** Runs retention now and then every `everyMs`; the returned function stops it. */
export function startRetention(options: RetentionOptions & { everyMs?: number }): () => void {
  const { log, everyMs = 3600_000 } = options;
  const run = () =>
    applyRetention(options).then(
      (deleted) => deleted > 0 && log.info({ deleted, days: options.days }, 'retention: deleted read notifications'),
      (error: unknown) => log.warn({ err: (error as Error)?.message }, 'retention: pass failed; next one retries'),
    );
  void run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
