/**
 * The migration runner: applies sql/NNNNN_name.sql files in order, each once, in one transaction,
 * recorded in belfry_migrations. An advisory lock makes concurrent starts (cluster mode) wait for each other.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sql } from './client.ts';

const lockKey = 7_042_011; // any constant; shared by every belfry process on this database

/** The folder holding the migrations, relative to this file so it works from any working directory. */
export const defaultMigrationsDir = join(import.meta.dir, '..', '..', 'sql');

/** Applies every pending migration; returns the names applied now (empty when up to date). */
export async function migrate(sql: Sql, dir = defaultMigrationsDir): Promise<string[]> {
  const files = (await readdir(dir)).filter((name) => /^\d{5}_[\w-]+\.sql$/.test(name)).sort();
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${lockKey})`;
    await tx`
      create table if not exists belfry_migrations (
        name       text primary key,
        applied_at timestamptz not null default now()
      )
    `;
    const done = new Set((await tx<{ name: string }[]>`select name from belfry_migrations`).map((row) => row.name));
    const applied: string[] = [];
    for (const name of files) {
      if (done.has(name)) continue;
      await tx.unsafe(await Bun.file(join(dir, name)).text());
      await tx`insert into belfry_migrations ${tx({ name })}`;
      applied.push(name);
    }
    return applied;
  });
}
