/**
 * All SQL for the notification_outbox table: one row per committed insert, holding the ids of the notifications it
 * created, until their batch is published. Rows are written by insertNotifications (same statement as the rows).
 * A relay claims entries with a lease (claimed_until) in one short statement and publishes outside any transaction,
 * so no row lock is ever held while a publish waits on the network.
 */
import type { Sql } from './client.ts';
import type { PublishedRow } from './notifications.ts';

export interface OutboxEntry {
  id: string;
  notification_ids: string[];
}

/**
 * Removes published batches from the outbox. Without waiting for the WAL flush: if the deletion is lost in a crash,
 * the relay publishes those batches again and gateways drop the repeats; the commit wait is not worth its latency.
 */
export async function deleteOutboxEntries(sql: Sql, outboxIds: readonly string[]): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`set local synchronous_commit = off`;
    await tx`delete from notification_outbox where id = any(${outboxIds}::bigint[])`;
  });
}

/**
 * Claims up to `entries` unclaimed entries older than `minAgeMs` (their own process had time to publish them), and
 * at least one but no more than about `rows` notifications, for `leaseMs`. One autocommitted statement: the row locks
 * of `skip locked` only keep two relays from claiming the same entry, and end with it.
 */
export async function claimOutboxEntries(
  sql: Sql,
  { minAgeMs, leaseMs, entries, rows }: { minAgeMs: number; leaseMs: number; entries: number; rows: number },
): Promise<OutboxEntry[]> {
  return sql<OutboxEntry[]>`
    update notification_outbox o
    set claimed_until = now() + ${leaseMs / 1000} * interval '1 second'
    from (
      select id, sum(cardinality(notification_ids)) over (order by id) - cardinality(notification_ids) as before
      from (
        select id, notification_ids
        from notification_outbox
        where created_at < now() - ${minAgeMs / 1000} * interval '1 second'
          and (claimed_until is null or claimed_until < now())
        order by id
        limit ${entries}
        for update skip locked
      ) locked
    ) picked
    where o.id = picked.id
      and picked.before < ${rows}
    returning o.id, o.notification_ids
  `;
}

/** Gives claimed entries back at once (their publish failed), instead of when the lease runs out. */
export async function releaseOutboxEntries(sql: Sql, outboxIds: readonly string[]): Promise<void> {
  await sql`update notification_outbox set claimed_until = null where id = any(${outboxIds}::bigint[])`;
}

/**
 * The notifications of claimed entries that are still worth pushing: unread, and neither erased nor deleted by the
 * user. Read at relay time, so a notification read while its batch waited in the outbox does not come back as unread.
 */
export async function deliverableNotifications(sql: Sql, notificationIds: readonly string[]): Promise<PublishedRow[]> {
  return sql<PublishedRow[]>`
    select id, user_id, type, message, created_at, title, url, actor, actions, category, data
    from notifications
    where id = any(${notificationIds}::bigint[])
      and read_at is null
      and deleted_at is null
    order by created_at, id
  `;
}

/** Notifications waiting in the outbox, across all processes (a metric, read at scrape time). */
export async function outboxDepth(sql: Sql): Promise<number> {
  const [row] = await sql<[{ depth: number }]>`
    select coalesce(sum(cardinality(notification_ids)), 0)::int as depth
    from notification_outbox
  `;
  return row.depth;
}
