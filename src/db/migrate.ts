/**
 * The migration runner: applies sql/NNNNN_name.sql files in order, each once, in one transaction,
 * recorded in belfry_migrations. An advisory lock makes concurrent starts (cluster mode) wait for each other.
 * The single executable carries the files inside it (see src/embedded-assets.ts); a clone reads sql/.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sql } from './client.ts';
import { embeddedAssets } from '../embedded-assets.ts';

const lockKey = 7_042_011; // any constant; shared by every belfry process on this database

/** The folder holding the migrations, relative to this file so it works from any working directory. */
export const defaultMigrationsDir = join(import.meta.dir, '..', '..', 'sql');

/** A migration that Postgres refused; `cause` keeps Postgres' own error (and its `code`). */
export class MigrationError extends Error {
  override name = 'MigrationError';
  constructor(
    readonly file: string,
    override readonly cause: unknown,
  ) {
    super(`migration ${file} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

const migrationName = /^\d{5}_[\w-]+\.sql$/;

/** Name → path of every migration: the embedded ones in the executable, else those in `dir`. */
async function migrationFiles(dir: string | undefined): Promise<Map<string, string>> {
  const embedded = embeddedAssets()?.sql;
  if (!dir && embedded) return embedded;
  const folder = dir ?? defaultMigrationsDir;
  const names = (await readdir(folder)).filter((name) => migrationName.test(name));
  return new Map(names.map((name) => [name, join(folder, name)]));
}

/** Applies every pending migration; returns the names applied now (empty when up to date). */
export async function migrate(sql: Sql, dir?: string): Promise<string[]> {
  const files = await migrationFiles(dir);
  const names = [...files.keys()].filter((name) => migrationName.test(name)).sort();
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
    for (const name of names) {
      if (done.has(name)) continue;
      try {
        await tx.unsafe(await Bun.file(files.get(name)!).text());
      } catch (error) {
        throw new MigrationError(name, error);
      }
      await tx`insert into belfry_migrations ${tx({ name })}`;
      applied.push(name);
    }
    return applied;
  });
}
