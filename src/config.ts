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
    JWT_JWKS_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    ALLOWED_ORIGINS: z
      .string()
      .default('')
      .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
      .pipe(z.array(z.url())),
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
      .pipe(z.array(z.url())),
    MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(20),
    INGEST_RATE_LIMIT: z.coerce.number().int().min(1).default(20_000),
    USER_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
    RETENTION_DAYS: optionalString.pipe(z.string().regex(/^\d+$/, 'must be a whole number of days').optional()).transform((value) => (value === undefined ? undefined : Number(value))).pipe(z.number().int().min(1).max(36_500).optional()),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
    RECONNECT_SPREAD_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
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
  jwksUrl: string | undefined;
  allowedOrigins: string[];
  /** Origins whose pages may embed the panel and call the user API cross-origin. */
  corsOrigins: string[];
  maxSocketsPerUser: number;
  /** Requests per second: per ingest key, and per user on the REST API. */
  rateLimits: { ingestPerSecond: number; userPerSecond: number };
  /** Unset: notifications are kept until erased. */
  retentionDays: number | undefined;
  shutdownTimeoutMs: number;
  /** On shutdown, clients are told to reconnect after a random delay up to this. */
  reconnectSpreadMs: number;
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
    jwksUrl: e.JWT_JWKS_URL,
    allowedOrigins: e.ALLOWED_ORIGINS,
    corsOrigins: e.CORS_ORIGINS,
    maxSocketsPerUser: e.MAX_SOCKETS_PER_USER,
    rateLimits: { ingestPerSecond: e.INGEST_RATE_LIMIT, userPerSecond: e.USER_RATE_LIMIT },
    retentionDays: e.RETENTION_DAYS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    reconnectSpreadMs: e.RECONNECT_SPREAD_MS,
  };
}
