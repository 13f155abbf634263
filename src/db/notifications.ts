/**
 * All SQL for the notifications table. Functions take the Sql they run on, so tests and transactions can pass their own.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Sql } from './client.ts';
import type { Action, Actor, NotificationCore, NotificationState } from './notification-wire.ts';
import { mutedFilter } from './preferences.ts';

/** A notification as stored (rows deleted by their user are never returned as this). */
export interface NotificationRow extends NotificationCore, NotificationState {
  user_id: string;
}

/** A stored notification without its states: what is published and pushed. */
export type PublishedRow = NotificationCore & { user_id: string };

/** An event to store. */
export interface NewNotification {
  user_id: string;
  type: string;
  message: string;
  idempotency_key?: string | undefined;
  title?: string | undefined;
  url?: string | undefined;
  actor?: Actor | undefined;
  actions?: Action[] | undefined;
  category?: string | undefined;
  data?: Record<string, unknown> | undefined;
}

export interface InsertResult {
  /** One id per input event, in input order (the earlier id where an idempotency key repeats). */
  ids: string[];
  /** The rows this call created, in input order: what must be delivered. */
  created: PublishedRow[];
  /** The outbox entry holding `created`; delete it once they are published. */
  outboxId: string | undefined;
}

/** The position after which the next page starts. */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

const maxBigint = 9223372036854775807n;

/** Every column a NotificationRow holds. */
const rowColumns = (sql: Sql) => sql`
  id, user_id, type, message, created_at, read_at, seen_at, archived_at, title, url, actor, actions, category, data
`;

/** Rows in the user's inbox: unread, not archived, not deleted, not muted. The badge counts exactly these. */
const inInbox = (sql: Sql, userId: string) => sql`
  and read_at is null
  and archived_at is null
  and deleted_at is null
  ${mutedFilter(sql, userId)}
`;

/** True when `id` can be a notification id (a positive int8 in decimal). Anything else cannot exist. */
export function isNotificationId(id: string): boolean {
  return /^[1-9]\d{0,18}$/.test(id) && BigInt(id) <= maxBigint;
}

// From this many keyless rows on, COPY is cheaper than the insert statement despite its extra round trips (measured:
// bench/README.md, "Round two"); a group of single events stays one statement.
const copyFrom = 100;

/** COPY's text format: `\N` is null; backslash, tab, newline and carriage return are escaped. */
function copyField(value: string | undefined): string {
  if (value === undefined) return '\\N';
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!) : value;
}

const copyJson = (value: unknown) => (value === undefined ? '\\N' : copyField(JSON.stringify(value)));

/**
 * Stores keyless events with COPY, in one transaction: ids drawn first (in input order), the rows copied with them,
 * and the outbox row written by the COPY statement itself (trigger in sql/00006_outbox_on_copy.sql). As with the
 * insert statement, nothing runs after the commit: an error before it rolls everything back.
 */
async function copyNotifications(sql: Sql, events: readonly NewNotification[]): Promise<InsertResult> {
  return sql.begin(async (tx) => {
    // The ids, in input order, are also left for the COPY's outbox trigger (local to this transaction).
    const [drawn] = await tx<[{ ids: string[] }]>`
      select ids, set_config('belfry.outbox_on_copy', ids::text, true)
      from (
        select array(select nextval('notifications_id_seq'::regclass) from generate_series(1, ${events.length})) as ids
      ) drawn
    `;
    const ids = drawn.ids;
    const lines = events.map((e, i) =>
      `${ids[i]}\t${copyField(e.user_id)}\t${copyField(e.type)}\t${copyField(e.message)}\t${copyField(e.title)}\t${copyField(e.url)}\t` +
      `${copyJson(e.actor)}\t${copyJson(e.actions)}\t${copyField(e.category)}\t${copyJson(e.data)}\n`,
    );
    const writable = await tx`
      copy notifications (id, user_id, type, message, title, url, actor, actions, category, data) from stdin
    `.writable();
    await pipeline(Readable.from([lines.join('')]), writable);
    const [stored] = await tx<[{ outbox_id: string; created_at: Date }]>`
      select
        currval(pg_get_serial_sequence('notification_outbox', 'id')) as outbox_id,
        (select created_at from notifications where id = ${ids[0]!}::bigint) as created_at
    `;
    const created = events.map(({ idempotency_key: _key, ...event }, i) => ({ ...event, id: ids[i]!, created_at: stored.created_at }));
    return { ids, created, outboxId: stored.outbox_id };
  }) as Promise<InsertResult>;
}

/**
 * Inserts events in one statement (a large keyless batch: one COPY, see copyNotifications) and returns their ids in
 * input order. Ids are drawn with nextval() per input row so each row maps back to its position; a repeated
 * (user_id, idempotency_key), earlier in the table or earlier in this batch, yields the first row's id.
 * Everything is resolved inside the statement: once it has committed there is nothing left to look up that could
 * fail, so a caller never has to guess whether an error came before or after the commit.
 */
export async function insertNotifications(sql: Sql, events: readonly NewNotification[]): Promise<InsertResult> {
  if (events.length >= copyFrom && events.every((event) => event.idempotency_key === undefined)) return copyNotifications(sql, events);
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

  const sent = aliasOf.size === 0 ? events : sentIndexes.map((index) => events[index]!);
  // One json parameter rather than ten text[]: one native JSON.stringify here and one JSON parse in Postgres, instead
  // of escaping and parsing ten array literals element by element. actor, actions and data stay the text
  // JSON.stringify wrote, as before. Sent as text: a json-typed parameter would be stringified a second time by the
  // driver. The sequence is named as a constant: pg_get_serial_sequence() is stable, not
  // immutable, so it was evaluated (a pg_depend lookup) once per row.
  const [result] = await sql<[{ outbox_id: string | null; created_at: Date | null; ids: (string | null)[]; created: boolean[] }]>`
    with input as materialized (
      select
        t.*,
        nextval('notifications_id_seq'::regclass) as new_id
      from rows from (
        json_to_recordset(${JSON.stringify(sent)}::text::json) as (
          user_id text, type text, message text, idempotency_key text, title text, url text,
          actor json, actions json, category text, data json
        )
      ) with ordinality as t(user_id, type, message, idempotency_key, title, url, actor, actions, category, data, ord)
    ),
    -- Rows without a key cannot conflict: a plain insert, without the speculative insertion, key locks and sort that
    -- "on conflict" costs per row.
    plain as (
      insert into notifications (id, user_id, type, message, title, url, actor, actions, category, data)
      select new_id, user_id, type, message, title, url, actor, actions, category, data
      from input
      where idempotency_key is null
      returning created_at
    ),
    keyed as (
      insert into notifications (id, user_id, type, message, idempotency_key, title, url, actor, actions, category, data)
      select new_id, user_id, type, message, idempotency_key, title, url, actor, actions, category, data
      from input
      where idempotency_key is not null
      -- Keys are locked in one global order, whatever the order of the request: two inserts whose keys overlap
      -- then wait for each other at most once, never in a cycle (a deadlock, 40P01).
      order by user_id, idempotency_key, ord
      -- A no-op update rather than "do nothing": it returns the row that holds the key, also when another
      -- transaction committed it while this statement ran (invisible to this statement's snapshot).
      on conflict (user_id, idempotency_key) where idempotency_key is not null
      do update set idempotency_key = excluded.idempotency_key
      returning id, user_id, idempotency_key, created_at
    ),
    resolved as (
      select
        input.ord,
        coalesce(fresh.id, kept.id, input.new_id) as id,
        input.idempotency_key is null or fresh.id is not null as created,
        fresh.created_at
      from input
      left join keyed fresh
        on input.idempotency_key is not null
        and fresh.id = input.new_id
      left join keyed kept
        on input.idempotency_key is not null
        and fresh.id is null
        and kept.user_id = input.user_id
        and kept.idempotency_key = input.idempotency_key
    ),
    outboxed as (
      insert into notification_outbox (notification_ids)
      select array_agg(id)
      from resolved
      where created
      having count(*) > 0
      returning id
    )
    -- One row with arrays rather than a row per event: Postgres formats (and the driver parses) one message, and
    -- created_at once, since every row this statement creates has the same default (now() is the transaction's start).
    select
      (select id from outboxed) as outbox_id,
      coalesce((select created_at from plain limit 1), (select max(created_at) from resolved)) as created_at,
      array_agg(id order by ord) as ids,
      array_agg(created order by ord) as created
    from resolved
  `;

  const ids = new Array<string>(events.length);
  const created: InsertResult['created'] = [];
  result.ids.forEach((id, position) => {
    const index = sentIndexes[position]!;
    // Cannot happen (every input row is inserted or meets its key); the rows are committed, so say so loudly.
    if (id === null) throw new Error('idempotent insert committed without resolving a key');
    ids[index] = id;
    if (result.created[position]) {
      const { idempotency_key: _key, ...event } = events[index]!;
      created.push({ ...event, id, created_at: result.created_at! });
    }
  });
  for (const [index, first] of aliasOf) ids[index] = ids[first]!;
  return { ids, created, outboxId: result.outbox_id ?? undefined };
}

/** Which notifications a list shows: `unread` is the inbox (what the badge counts). */
export type ListStatus = 'unread' | 'read' | 'all' | 'archived';

export interface ListOptions {
  limit: number;
  status: ListStatus;
  category?: string | undefined;
  cursor?: PageCursor | undefined;
}

/** One page of a user's notifications, newest first; `next` is set when more rows follow. */
export async function listNotifications(
  sql: Sql,
  userId: string,
  { limit, status, category, cursor }: ListOptions,
): Promise<{ rows: NotificationRow[]; next: PageCursor | undefined }> {
  const filter = {
    unread: inInbox(sql, userId),
    read: sql`and read_at is not null and archived_at is null and deleted_at is null`,
    all: sql`and archived_at is null and deleted_at is null`,
    archived: sql`and archived_at is not null and deleted_at is null`,
  }[status];
  const rows = await sql<NotificationRow[]>`
    select ${rowColumns(sql)}
    from notifications
    where user_id = ${userId}
      ${filter}
      ${category ? sql`and category = ${category}` : sql``}
      ${cursor ? sql`and (created_at, id) < (${cursor.createdAt}, ${cursor.id}::bigint)` : sql``}
    order by created_at desc, id desc
    limit ${limit + 1}
  `;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, next: rows.length > limit && last ? { createdAt: last.created_at, id: last.id } : undefined };
}

/** The user's badge: notifications in the inbox, and how many of those were never seen. */
export async function countInbox(sql: Sql, userId: string): Promise<{ count: number; unseen: number }> {
  const [row] = await sql<[{ count: number; unseen: number }]>`
    select
      count(*)::int as count,
      (count(*) filter (where seen_at is null))::int as unseen
    from notifications
    where user_id = ${userId}
      ${inInbox(sql, userId)}
  `;
  return row;
}

/** The user's unread count: what the badge shows and every READ and CHANGED frame carries. */
export async function countUnread(sql: Sql, userId: string): Promise<number> {
  return (await countInbox(sql, userId)).count;
}

// A namespace of the two-key advisory locks (distinct from the one-key space the migration lock uses).
const userStateLock = 0x62656c66;

/**
 * Runs a change of the user's states with the user's state lock held: changes of one user are serialised, so the
 * count each one reports is the count right after it, and a frame can never carry a count another change made stale.
 */
function withUserLock<T>(sql: Sql, userId: string, work: (tx: Sql) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${userStateLock}, hashtext(${userId}))`;
    return work(tx as unknown as Sql);
  }) as Promise<T>;
}

/** A change of state the user makes on some of their notifications. */
export type StateChange = 'read' | 'unread' | 'seen' | 'archived' | 'unarchived' | 'deleted';

export type ChangeResult = { found: false } | { found: true; ids: string[]; unreadCount: number };

/**
 * Applies `change` to the user's notifications `ids` (repeats count once). All or nothing: when one id is not the
 * user's (or does not exist, or was deleted), nothing changes and `found` is false. `ids` in the result are those
 * whose state actually changed, in request order; a repeat of a change changes nothing. A deleted notification is
 * found only by a repeated delete.
 */
export async function changeState(sql: Sql, userId: string, ids: readonly string[], change: StateChange): Promise<ChangeResult> {
  const unique = [...new Set(ids)];
  if (unique.length === 0 || !unique.every(isNotificationId)) return { found: false };
  return withUserLock(sql, userId, async (tx) => {
    const [{ owned }] = await tx<[{ owned: number }]>`
      select count(*)::int as owned
      from notifications
      where id = any(${unique}::bigint[])
        and user_id = ${userId}
        ${change === 'deleted' ? tx`` : tx`and deleted_at is null`}
    `;
    if (owned !== unique.length) return { found: false };
    const update = {
      read: tx`set read_at = now() where read_at is null`,
      unread: tx`set read_at = null where read_at is not null`,
      seen: tx`set seen_at = now() where seen_at is null`,
      archived: tx`set archived_at = now() where archived_at is null`,
      unarchived: tx`set archived_at = null where archived_at is not null`,
      deleted: tx`set deleted_at = now() where deleted_at is null`,
    }[change];
    const changed = await tx<{ id: string }[]>`
      update notifications
      ${update}
        and id = any(${unique}::bigint[])
        and user_id = ${userId}
      returning id
    `;
    const changedIds = new Set(changed.map((row) => row.id));
    return { found: true, ids: unique.filter((id) => changedIds.has(id)), unreadCount: await countUnread(tx, userId) };
  });
}

export type MarkReadResult = { found: false } | { found: true; changed: false } | { found: true; changed: true; unreadCount: number };

/** Marks one of the user's notifications read; `found: false` when it is not theirs or does not exist. */
export async function markRead(sql: Sql, userId: string, id: string): Promise<MarkReadResult> {
  const result = await changeState(sql, userId, [id], 'read');
  if (!result.found) return { found: false };
  if (result.ids.length === 0) return { found: true, changed: false };
  return { found: true, changed: true, unreadCount: result.unreadCount };
}

/**
 * Marks read every notification of the user that is committed when its update starts. One that commits meanwhile
 * is outside the statement's snapshot and stays unread: read-all never swallows a notification the user has not
 * been shown.
 */
export async function markAllRead(sql: Sql, userId: string): Promise<{ ids: string[]; unreadCount: number }> {
  return withUserLock(sql, userId, async (tx) => {
    const rows = await tx<{ id: string }[]>`
      update notifications
      set read_at = now()
      where user_id = ${userId}
        and read_at is null
        and deleted_at is null
      returning id
    `;
    return { ids: rows.map((row) => row.id), unreadCount: await countUnread(tx, userId) };
  });
}

/**
 * Inbox notifications of the user from `overlapMs` before the row `afterId` onwards, oldest first, without it;
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
    select ${rowColumns(sql)}
    from notifications
    where user_id = ${userId}
      ${inInbox(sql, userId)}
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

/** A notification as exported: everything stored, deleted ones included. */
export type ExportRow = NotificationRow & { idempotency_key: string | null; deleted_at: Date | null };

/** Every notification of the user, oldest first, for export: rows the user deleted are still stored, so they are in it. */
export async function exportUser(sql: Sql, userId: string): Promise<ExportRow[]> {
  return sql<ExportRow[]>`
    select ${rowColumns(sql)}, idempotency_key, deleted_at
    from notifications
    where user_id = ${userId}
    order by created_at, id
  `;
}

/**
 * Deletes up to `batchSize` notifications read, or deleted by their user, before `cutoff`. Small batches keep each
 * transaction short: call it until it returns less than `batchSize`.
 */
export async function deleteReadBefore(sql: Sql, cutoff: Date, batchSize = 1000): Promise<number> {
  const result = await sql`
    delete from notifications
    where id in (
      select id
      from notifications
      where read_at < ${cutoff}
         or deleted_at < ${cutoff}
      limit ${batchSize}
      for update skip locked
    )
  `;
  return result.count;
}
