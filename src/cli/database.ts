/**
 * The database a command works on: DATABASE_URL, or the embedded Postgres started for this folder, migrated.
 * Shared by `start` and `migrate`.
 */
import { createSql } from '../db/client.ts';
import { chooseDataDir, embeddedRunAs, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../db/embedded.ts';
import { migrate } from '../db/migrate.ts';
import { step } from '../startup-errors.ts';
import { resolve } from 'node:path';
import type { CliContext } from './context.ts';

export interface Database {
  url: string;
  embedded: EmbeddedPostgresHandle | undefined;
}

/** Starts the embedded Postgres when DATABASE_URL is unset; then checks that the database answers. */
export async function openDatabase(context: CliContext): Promise<Database> {
  const { config, log } = context;
  if (config.database.url) {
    const url = config.database.url;
    await step('database', async () => {
      const probe = createSql(url, { max: 1, statementTimeoutMs: 0, prepare: config.database.prepare });
      try {
        await probe`select 1`;
      } finally {
        await probe.end({ timeout: 1 });
      }
    });
    return { url, embedded: undefined };
  }
  const embedded = await step('database', async () => {
    const runAs = embeddedRunAs();
    const configured = resolve(context.baseDir, config.database.embedded.dir);
    const { dir, moved } = chooseDataDir(configured, runAs);
    if (moved) log.info({ configured, dir }, 'running as root: the postgres user cannot enter the configured folder, so the embedded data lives here');
    const port = config.database.embedded.port;
    log.info({ dir, ...(port ? { port } : { socket: 'in the data folder' }) }, 'starting the embedded Postgres (DATABASE_URL is unset)');
    const started = performance.now();
    const handle = await startEmbeddedPostgres({ dir, port, env: context.env, onLog: (line) => log.debug({ postgres: line }), onNotice: (message) => log.warn(message) });
    log.info({ ms: Math.round(performance.now() - started), programs: handle.programs }, 'embedded Postgres ready');
    return handle;
  });
  return { url: embedded.url, embedded };
}

/** Applies pending migrations on their own connection (no statement timeout: they may build indexes). */
export async function applyMigrations(context: CliContext, url: string): Promise<string[]> {
  return step('migrations', async () => {
    const sql = createSql(url, { max: 1, statementTimeoutMs: 0, prepare: context.config.database.prepare });
    try {
      const applied = await migrate(sql);
      if (applied.length) context.log.info({ applied }, 'migrations applied');
      return applied;
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
}
