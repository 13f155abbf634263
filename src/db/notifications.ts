/**
 * All SQL for the notifications table. Functions take the Sql they run on, so tests and transactions can pass their own.
 */
import type { Sql } from './client.ts';

/** A notification as stored. */
export interface NotificationRow {
  id: string;
  user_id: string;
  type: string;
  message: string;
  created_at: Date;
  read_at: Date | null;
}

/** An event to store. */
export interface NewNotification {
  user_id: string;
  type: string;
  message: string;
  idempotency_key?: string | undefined;
}

export interface InsertResult {
  /** One id per input event, in input order (the earlier id where an idempotency key repeats). */
  ids: string[];
  /** The rows this call created, in input order: what must be delivered. */
  created: Omit<NotificationRow, 'read_at'>[];
  /** The outbox entry holding `created`; delete it once they are published. */
  outboxId: string | undefined;
}

/** The position after which the next page starts. */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

const maxBigint = 9223372036854775807n;

/** True when `id` can be a notification id (a positive int8 in decimal). Anything else cannot exist. */
export function isNotificationId(id: string): boolean {
  return /^[1-9]\d{0,18}$/.test(id) && BigInt(id) <= maxBigint;
}

/**
 * Inserts events in one statement and returns their ids in input order.
 * Ids are drawn with nextval() per input row so each row maps back to its position; a repeated
 * (user_id, idempotency_key), earlier in the table or earlier in this batch, yields the first row's id.
 * Everything is resolved inside the statement: once it has committed there is nothing left to look up that could
 * fail, so a caller never has to guess whether an error came before or after the commit.
 */
export async function insertNotifications(sql: Sql, events: readonly NewNotification[]): Promise<InsertResult> {
  // Repeats inside the batch: only the first goes to Postgres, the rest take its id.
  const firstIndexByKey = new Map<string, number>();
  const sentIndexes: number[] = [];
  const aliasOf = new Map<number, number>();
  events.forEach((event, index) => {
    if (event.idempotency_key === undefined) return void sentIndexes.push(index);
    const key = `${event.user_id}\u0000${event.idempotency_key}`;
    const first = firstIndexByKey.get(key);
    if (first === undefined) {
      firstIndexByKey.set(key, index);
      sentIndexes.push(index);
    } else aliasOf.set(index, first);
  });

  const sent = sentIndexes.map((index) => events[index]!);
  const rows = await sql<{ outbox_id: string | null; id: string | null; created_at: Date | null; created: boolean }[]>`
    with input as materialized (
      select
        t.ord,
        t.user_id,
        t.type,
        t.message,
        t.idempotency_key,
        nextval(pg_get_serial_sequence('notifications', 'id')) as new_id
      from unnest(
        ${sent.map((e) => e.user_id)}::text[],
        ${sent.map((e) => e.type)}::text[],
        ${sent.map((e) => e.message)}::text[],
        ${sent.map((e) => e.idempotency_key ?? null)}::text[]
      ) with ordinality as t(user_id, type, message, idempotency_key, ord)
    ),
    inserted as (
      insert into notifications (id, user_id, type, message, idempotency_key)
      select new_id, user_id, type, message, idempotency_key
      from input
      -- Keys are locked in one global order, whatever the order of the request: two inserts whose keys overlap
      -- then wait for each other at most once, never in a cycle (a deadlock, 40P01).
      order by user_id, idempotency_key, ord
      -- A no-op update rather than "do nothing": it returns the row that holds the key, also when another
      -- transaction committed it while this statement ran (invisible to this statement's snapshot).
      on conflict (user_id, idempotency_key) where idempotency_key is not null
      do update set idempotency_key = excluded.idempotency_key
      returning id, user_id, idempotency_key, created_at
    ),
    outboxed as (
      insert into notification_outbox (notification_ids)
      select array_agg(inserted.id)
      from inserted
      join input on input.new_id = inserted.id
      having count(*) > 0
      returning id
    )
    select
      (select id from outboxed) as outbox_id,
      coalesce(fresh.id, kept.id) as id,
      coalesce(fresh.created_at, kept.created_at) as created_at,
      fresh.id is not null as created
    from input
    left join inserted fresh on fresh.id = input.new_id
    left join inserted kept
      on fresh.id is null
      and kept.user_id = input.user_id
      and kept.idempotency_key = input.idempotency_key
    order by input.ord
  `;

  const ids = new Array<string>(events.length);
  const created: InsertResult['created'] = [];
  rows.forEach((row, position) => {
    const index = sentIndexes[position]!;
    // Cannot happen (every input row is inserted or meets its key); the rows are committed, so say so loudly.
    if (row.id === null) throw new Error('idempotent insert committed without resolving a key');
    ids[index] = row.id;
    if (row.created) {
      const event = events[index]!;
      created.push({ id: row.id, user_id: event.user_id, type: event.type, message: event.message, created_at: row.created_at! });
    }
  });
  for (const [index, first] of aliasOf) ids[index] = ids[first]!;
  return { ids, created, outboxId: rows[0]?.outbox_id ?? undefined };
}

export interface ListOptions {
  limit: number;
  unreadOnly: boolean;
  cursor?: PageCursor | undefined;
}

/** One page of a user's notifications, newest first; `next` is set when more rows follow. */
export async function listNotifications(
  sql: Sql,
  userId: string,
  { limit, unreadOnly, cursor }: ListOptions,
): Promise<{ rows: NotificationRow[]; next: PageCursor | undefined }> {
  const rows = await sql<NotificationRow[]>`
    select id, user_id, type, message, created_at, read_at
    from notifications
    where user_id = ${userId}
      ${unreadOnly ? sql`and read_at is null` : sql``}
      ${cursor ? sql`and (created_at, id) < (${cursor.createdAt}, ${cursor.id}::bigint)` : sql``}
    order by created_at desc, id desc
    limit ${limit + 1}
  `;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, next: rows.length > limit && last ? { createdAt: last.created_at, id: last.id } : undefined };
}

/** The user's unread count. */
export async function countUnread(sql: Sql, userId: string): Promise<number> {
  const [row] = await sql<[{ count: number }]>`
    select count(*)::int as count
    from notifications
    where user_id = ${userId}
      and read_at is null
  `;
  return row.count;
}

export type MarkReadResult = { found: false } | { found: true; changed: false } | { found: true; changed: true; unreadCount: number };

/** Marks one of the user's notifications read; `found: false` when it is not theirs or does not exist. */
export async function markRead(sql: Sql, userId: string, id: string): Promise<MarkReadResult> {
  if (!isNotificationId(id)) return { found: false };
  // One statement: CTEs share the snapshot taken before the update, so the count is "before" minus "changed".
  const [row] = await sql<[{ found: boolean; changed: number; unread_before: number }]>`
    with target as (
      select id
      from notifications
      where id = ${id}
        and user_id = ${userId}
    ),
    changed as (
      update notifications
      set read_at = now()
      where id = ${id}
        and user_id = ${userId}
        and read_at is null
      returning id
    )
    select
      exists (select 1 from target) as found,
      (select count(*)::int from changed) as changed,
      (select count(*)::int from notifications where user_id = ${userId} and read_at is null) as unread_before
  `;
  if (!row.found) return { found: false };
  if (row.changed === 0) return { found: true, changed: false };
  return { found: true, changed: true, unreadCount: row.unread_before - row.changed };
}

/**
 * Marks read every notification of the user that is committed when the statement starts. One that commits
 * meanwhile is outside the statement's snapshot and stays unread: read-all never swallows a notification
 * the user has not been shown.
 */
export async function markAllRead(sql: Sql, userId: string): Promise<{ ids: string[]; unreadCount: number }> {
  const rows = await sql<{ id: string }[]>`
    update notifications
    set read_at = now()
    where user_id = ${userId}
      and read_at is null
    returning id
  `;
  return { ids: rows.map((row) => row.id), unreadCount: await countUnread(sql, userId) };
}

/**
 * Unread notifications of the user from `overlapMs` before the row `afterId` onwards, oldest first, without it;
 * undefined when `afterId` is not one of the user's notifications.
 */
export async function unreadAround(
  sql: Sql,
  userId: string,
  afterId: string,
  { overlapMs, limit }: { overlapMs: number; limit: number },
): Promise<NotificationRow[] | undefined> {
  if (!isNotificationId(afterId)) return undefined;
  const [anchor] = await sql<[{ created_at: Date }?]>`
    select created_at from notifications where id = ${afterId} and user_id = ${userId}
  `;
  if (!anchor) return undefined;
  return sql<NotificationRow[]>`
    select id, user_id, type, message, created_at, read_at
    from notifications
    where user_id = ${userId}
      and read_at is null
      and created_at >= ${new Date(anchor.created_at.getTime() - overlapMs)}
      and id <> ${afterId}
    order by created_at, id
    limit ${limit}
  `;
}

/** Deletes every notification of the user; returns how many. */
export async function eraseUser(sql: Sql, userId: string): Promise<number> {
  const result = await sql`delete from notifications where user_id = ${userId}`;
  return result.count;
}

/** Every notification of the user, oldest first, for export. */
export async function exportUser(sql: Sql, userId: string): Promise<(NotificationRow & { idempotency_key: string | null })[]> {
  return sql<(NotificationRow & { idempotency_key: string | null })[]>`
    select id, user_id, type, message, created_at, read_at, idempotency_key
    from notifications
    where user_id = ${userId}
    order by created_at, id
  `;
}

/**
 * Deletes up to `batchSize` read notifications read before `cutoff`. Small batches keep each transaction short:
 * call it until it returns less than `batchSize`.
 */
export async function deleteReadBefore(sql: Sql, cutoff: Date, batchSize = 1000): Promise<number> {
  const result = await sql`
    delete from notifications
    where id in (
      select id
      from notifications
      where read_at < ${cutoff}
      limit ${batchSize}
      for update skip locked
    )
  `;
  return result.count;
}
