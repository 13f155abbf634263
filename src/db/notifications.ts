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
  const rows = await sql<{ id: string | null; created_at: Date | null; created: boolean }[]>`
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
      order by ord
      on conflict (user_id, idempotency_key) where idempotency_key is not null do nothing
      returning id, created_at
    )
    select
      coalesce(inserted.id, existing.id) as id,
      coalesce(inserted.created_at, existing.created_at) as created_at,
      inserted.id is not null as created
    from input
    left join inserted on inserted.id = input.new_id
    left join notifications existing
      on inserted.id is null
      and existing.user_id = input.user_id
      and existing.idempotency_key = input.idempotency_key
    order by input.ord
  `;

  const ids = new Array<string>(events.length);
  const created: InsertResult['created'] = [];
  const unresolved: number[] = [];
  rows.forEach((row, position) => {
    const index = sentIndexes[position]!;
    if (row.id === null) return void unresolved.push(index);
    ids[index] = row.id;
    if (row.created) {
      const event = events[index]!;
      created.push({ id: row.id, user_id: event.user_id, type: event.type, message: event.message, created_at: row.created_at! });
    }
  });
  // A key that a concurrent transaction committed while this statement ran is invisible to its snapshot: look again.
  for (const index of unresolved) {
    const event = events[index]!;
    const [row] = await sql<[{ id: string }?]>`
      select id from notifications
      where user_id = ${event.user_id}
        and idempotency_key = ${event.idempotency_key ?? null}
    `;
    if (!row) throw new Error('idempotent insert could not resolve its key');
    ids[index] = row.id;
  }
  for (const [index, first] of aliasOf) ids[index] = ids[first]!;
  return { ids, created };
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
