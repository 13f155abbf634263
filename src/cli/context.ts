/**
 * What every command receives from main.ts: the parsed config, the logger, where relative paths start, and the keys
 * (configured, or the ones generated into the secrets file outside production).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { loadOrCreateSecrets } from '../secrets.ts';
import { UsageError } from './commands.ts';

export interface CliContext {
  config: Config;
  log: Logger;
  /** Relative paths (BELFRY_HOME, EMBEDDED_PG_DIR, STATIC_DIR) start here: the clone's root, or the working folder. */
  baseDir: string;
  /** The clone belfry runs from; undefined for the single executable. */
  sourceRoot: string | undefined;
  /** How to start this program again (workers): the executable, or Bun with src/main.ts. */
  selfCommand: string[];
  /** Read for XDG_CACHE_HOME (the executable's Postgres programs) and handed to workers. */
  env: Record<string, string | undefined>;
  /** Set in a worker process of WORKERS > 1: the primary's database URL. */
  workerDatabaseUrl: string | undefined;
  out(line: string): void;
}

export type Keys = { jwtSecret: string; ingestApiKey: string; adminApiKey: string; metricsToken: string | undefined };

/** The generated secrets' file. */
export function secretsPath(context: CliContext): string {
  return resolve(context.baseDir, context.config.home, 'secrets.json');
}

/** The configured keys; outside production, unset ones come from a generated file in the data folder. */
export function resolveKeys(context: CliContext): Keys {
  const { config, log } = context;
  const { jwtSecret, ingestApiKey, adminApiKey, metricsToken } = config.keys;
  if (jwtSecret && ingestApiKey && adminApiKey) return { jwtSecret, ingestApiKey, adminApiKey, metricsToken };
  const path = secretsPath(context);
  const generated = loadOrCreateSecrets(path);
  const missing = Object.entries({ JWT_SECRET: jwtSecret, INGEST_API_KEY: ingestApiKey, ADMIN_API_KEY: adminApiKey }).filter(([, value]) => !value);
  if (!config.demo) log.warn({ file: path, generated: missing.map(([name]) => name) }, 'unset secrets: using generated ones kept in the file');
  return {
    jwtSecret: jwtSecret ?? generated.jwtSecret,
    ingestApiKey: ingestApiKey ?? generated.ingestApiKey,
    adminApiKey: adminApiKey ?? generated.adminApiKey,
    metricsToken,
  };
}

/**
 * One key for a client command (token, send): the configured one, else the server's generated one. Never generates:
 * a fresh secret here would sign tokens no server accepts.
 */
export function clientKey(context: CliContext, key: 'jwtSecret' | 'ingestApiKey'): string {
  const configured = context.config.keys[key];
  if (configured) return configured;
  const variable = key === 'jwtSecret' ? 'JWT_SECRET' : 'INGEST_API_KEY';
  const path = secretsPath(context);
  if (!existsSync(path)) throw new UsageError(`${variable} is unset and ${path} does not exist: set ${variable} to the server's, or run this where belfry started once`);
  return loadOrCreateSecrets(path)[key];
}
