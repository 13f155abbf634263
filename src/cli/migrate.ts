/**
 * `belfry migrate`: applies pending migrations to DATABASE_URL (or the embedded Postgres) and exits.
 */
import type { CliContext } from './context.ts';
import { applyMigrations, openDatabase } from './database.ts';

/** Applies pending migrations; prints each one applied, or that there was none. */
export async function migrateCommand(context: CliContext): Promise<void> {
  const { url, embedded } = await openDatabase(context);
  try {
    const applied = await applyMigrations(context, url);
    context.out(applied.length ? applied.map((name) => `applied ${name}`).join('\n') : 'the database is up to date');
  } finally {
    await embedded?.stop();
  }
}
