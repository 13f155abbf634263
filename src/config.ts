/**
 * Configuration: the environment parsed and validated once, at start, with one error listing every problem.
 * Only src/main.ts calls loadConfig; everything else receives the typed Config.
 */
import { z } from 'zod';

const optionalString = z
  .string()
  .transform((value) => value.trim())
  .pipe(z.string())
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
    REDIS_PREFIX: z.string().min(1).max(64).default('belfry:'),
    JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    INGEST_API_KEY: optionalString.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    WORKERS: z.coerce.number().int().min(1).max(64).default(1),
    EMBEDDED_PG_DIR: z.string().min(1).default('.belfry/postgres'),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
    STATIC_DIR: z.string().min(1).default('web/dist'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    for (const key of ['DATABASE_URL', 'JWT_SECRET', 'INGEST_API_KEY'] as const) {
      if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when NODE_ENV=production' });
    }
  });

export type Env = z.infer<typeof envSchema>;

export interface Config {
  production: boolean;
  port: number;
  host: string;
  /** Unset: start the embedded Postgres. */
  databaseUrl: string | undefined;
  /** Unset: use the in-process bus (one process only). */
  redisUrl: string | undefined;
  redisPrefix: string;
  /** Unset: generated at start (demo mode). */
  jwtSecret: string | undefined;
  ingestApiKey: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  workers: number;
  embeddedPostgres: { dir: string; port: number };
  staticDir: string;
}

/** Thrown when the environment is invalid; its message lists every problem, one per line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment into a Config, or throws one ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    production: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    jwtSecret: e.JWT_SECRET,
    ingestApiKey: e.INGEST_API_KEY,
    logLevel: e.LOG_LEVEL,
    workers: e.WORKERS,
    embeddedPostgres: { dir: e.EMBEDDED_PG_DIR, port: e.EMBEDDED_PG_PORT },
    staticDir: e.STATIC_DIR,
  };
}
