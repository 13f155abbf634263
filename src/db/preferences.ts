/**
 * All SQL for notification_preferences: what each user muted. A user without mutes has no row, so the common path
 * (nobody muted anything) reads one index probe that finds nothing.
 */
import type { Sql } from './client.ts';

/** What a user muted: notifications of these categories or types are stored but kept out of the inbox and the push. */
export interface Mutes {
  categories: string[];
  types: string[];
}

/** The user's mutes; empty lists when they have none. */
export async function getMutes(sql: Sql, userId: string): Promise<Mutes> {
  const [row] = await sql<[{ categories: string[]; types: string[] }?]>`
    select muted_categories as categories, muted_types as types
    from notification_preferences
    where user_id = ${userId}
  `;
  return row ?? { categories: [], types: [] };
}

/** The mutes of those of `userIds` who have any; users without mutes are absent from the map. */
export async function getMutesOf(sql: Sql, userIds: readonly string[]): Promise<Map<string, Mutes>> {
  const rows = await sql<{ user_id: string; categories: string[]; types: string[] }[]>`
    select user_id, muted_categories as categories, muted_types as types
    from notification_preferences
    where user_id = any(${userIds}::text[])
  `;
  return new Map(rows.map((row) => [row.user_id, { categories: row.categories, types: row.types }]));
}

/** Replaces the user's mutes; muting nothing removes the row, so the user is back on the common path. */
export async function putMutes(sql: Sql, userId: string, mutes: Mutes): Promise<void> {
  if (mutes.categories.length === 0 && mutes.types.length === 0) {
    await sql`delete from notification_preferences where user_id = ${userId}`;
    return;
  }
  await sql`
    insert into notification_preferences (user_id, muted_categories, muted_types)
    values (${userId}, ${mutes.categories}::text[], ${mutes.types}::text[])
    on conflict (user_id) do update
    set muted_categories = excluded.muted_categories,
        muted_types = excluded.muted_types,
        updated_at = now()
  `;
}

/** Deletes the user's preferences (erasure); returns how many rows (0 or 1). */
export async function erasePreferences(sql: Sql, userId: string): Promise<number> {
  const result = await sql`delete from notification_preferences where user_id = ${userId}`;
  return result.count;
}

/**
 * A filter fragment for a query on notifications: leaves out rows of a type or category the user muted. Applied when
 * reading, never stored, so unmuting brings old rows back. The lookups are uncorrelated subqueries: Postgres runs
 * each once per statement (an InitPlan), not once per row.
 */
export function mutedFilter(sql: Sql, userId: string) {
  return sql`
    and type <> all(coalesce((select muted_types from notification_preferences where user_id = ${userId}), '{}'))
    and not coalesce(category = any(coalesce((select muted_categories from notification_preferences where user_id = ${userId}), '{}')), false)
  `;
}
