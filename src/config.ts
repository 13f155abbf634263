/**
 * Configuration: the environment parsed and validated once, at start, with one error listing every problem.
 * This is the only module that holds a default; everything else receives the typed, grouped Config.
 * Only src/main.ts (and the tests' helpers) call loadConfig.
 */
import { z } from 'zod';
import { parseDuration } from './duration.ts';

const optionalString = z
  .string()
  .transform((value) => value.trim())
  .pipe(z.string())
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const list = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .default('')
    .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
    .pipe(z.array(item));

/**
 * An origin as a browser sends it: scheme, host and port, nothing else. Configured values are normalised
 * (lower case, default port dropped, trailing slash dropped), so `https://App.example:443/` matches `https://app.example`.
 */
const originSchema = z.string().transform((value, ctx) => {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password || !['', '/'].includes(url.pathname) || url.search || url.hash) {
    ctx.addIssue({ code: 'custom', message: 'must be an origin such as https://app.example (scheme, host, optional port)' });
    return z.NEVER;
  }
  return url.origin;
});

/** A Redis Cluster seed: `host:port`, or a redis:// / rediss:// URL when the nodes need a password or TLS. */
const clusterSeed = z.string().transform((value, ctx) => {
  const candidate = /^rediss?:\/\//.test(value) ? value : `redis://${value}`;
  const url = URL.canParse(candidate) ? new URL(candidate) : undefined;
  if (!url || !url.hostname || !url.port || !['', '/'].includes(url.pathname)) {
    ctx.addIssue({ code: 'custom', message: 'must be host:port seeds (or redis:// URLs with a port), comma-separated' });
    return z.NEVER;
  }
  return url.toString();
});

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const seconds = parseDuration(value);
      if (seconds === undefined) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration such as 3600, 90s, 15m, 24h or 7d' });
        return z.NEVER;
      }
      return seconds;
    });

const wholeNumber = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Loopback hosts, where a plain-http JWKS cannot be intercepted on the way. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: wholeNumber(0, 65535).default(3000),
    HOST: optionalString,
    DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    DATABASE_STATEMENT_TIMEOUT: duration('10s'),
    DATABASE_PREPARE: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
    REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
    REDIS_CLUSTER_NODES: list(clusterSeed),
    REDIS_SHARDS: wholeNumber(1, 1024).default(16),
    REDIS_PREFIX: z.string().min(1).max(64).default('belfry:'),
    REDIS_COMMAND_TIMEOUT_MS: wholeNumber(100, 60_000).default(2000),
    REDIS_HEARTBEAT_MS: wholeNumber(100, 60_000).default(3000),
    REDIS_MAX_PENDING_PUBLISHES: wholeNumber(1, 1_000_000).default(1000),
    JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    JWT_JWKS_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    JWT_ISSUER: optionalString.pipe(z.string().max(1024).optional()),
    JWT_AUDIENCE: optionalString.pipe(z.string().max(1024).optional()),
    JWT_MAX_TTL: duration('24h'),
    INGEST_API_KEY: optionalString.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
    ADMIN_API_KEY: optionalString.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
    METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
    WORKERS: wholeNumber(1, 64).default(1),
    BELFRY_HOME: z.string().min(1).default('.belfry'),
    EMBEDDED_PG_DIR: optionalString,
    EMBEDDED_PG_PORT: optionalString.pipe(z.string().regex(/^\d+$/, 'must be a port number').optional()).transform((value) => (value === undefined ? undefined : Number(value))).pipe(z.number().int().min(1).max(65535).optional()),
    STATIC_DIR: optionalString,
    ALLOWED_ORIGINS: list(originSchema),
    CORS_ORIGINS: list(originSchema),
    MAX_SOCKETS_PER_USER: wholeNumber(1, 10_000).default(20),
    INGEST_RATE_LIMIT: wholeNumber(1, 1_000_000_000).default(20_000),
    USER_RATE_LIMIT: wholeNumber(1, 1_000_000).default(20),
    INGEST_QUEUE_TIMEOUT_MS: wholeNumber(100, 600_000).default(5000),
    INGEST_QUEUE_MAX: wholeNumber(1, 10_000_000).default(20_000),
    RETENTION_DAYS: optionalString.pipe(z.string().regex(/^\d+$/, 'must be a whole number of days').optional()).transform((value) => (value === undefined ? undefined : Number(value))).pipe(z.number().int().min(1).max(36_500).optional()),
    OUTBOX_RELAY_INTERVAL_MS: wholeNumber(10, 60_000).default(1000),
    OUTBOX_RELAY_MIN_AGE_MS: wholeNumber(0, 600_000).default(2000),
    OUTBOX_RELAY_LEASE_MS: wholeNumber(1000, 600_000).default(10_000),
    SHUTDOWN_TIMEOUT_MS: wholeNumber(100, 300_000).default(10_000),
    RECONNECT_SPREAD_MS: wholeNumber(0, 300_000).default(5_000),
    SHUTDOWN_DRAIN_MS: wholeNumber(0, 150_000).default(0),
  })
  .superRefine((env, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (env.NODE_ENV === 'production') {
      for (const key of ['DATABASE_URL', 'JWT_SECRET', 'INGEST_API_KEY', 'ADMIN_API_KEY'] as const) {
        if (!env[key]) issue(key, 'is required when NODE_ENV=production');
      }
    }
    const redis = env.REDIS_URL || env.REDIS_CLUSTER_NODES.length > 0;
    if (env.WORKERS > 1 && !redis) issue('WORKERS', 'more than 1 needs REDIS_URL or REDIS_CLUSTER_NODES: the in-process bus reaches one process only');
    if (env.REDIS_URL && env.REDIS_CLUSTER_NODES.length > 0) {
      issue('REDIS_CLUSTER_NODES', 'set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both');
    }
    if (env.WORKERS > 1 && env.PORT === 0) issue('WORKERS', 'more than 1 needs a fixed PORT for the processes to share');
    if (env.JWT_JWKS_URL) {
      if (!env.JWT_ISSUER) issue('JWT_ISSUER', 'is required with JWT_JWKS_URL: tokens the identity provider issued for other apps must not pass');
      if (!env.JWT_AUDIENCE) issue('JWT_AUDIENCE', 'is required with JWT_JWKS_URL: tokens the identity provider issued for other apps must not pass');
      const url = new URL(env.JWT_JWKS_URL);
      if (url.protocol !== 'https:' && !isLoopbackHost(url.hostname)) issue('JWT_JWKS_URL', 'must be https: (plain http only on a loopback host)');
    }
    if (env.JWT_MAX_TTL < 1) issue('JWT_MAX_TTL', 'must be at least 1 second');
    if (env.DATABASE_STATEMENT_TIMEOUT < 1) issue('DATABASE_STATEMENT_TIMEOUT', 'must be at least 1 second');
    if (env.SHUTDOWN_DRAIN_MS > env.SHUTDOWN_TIMEOUT_MS / 2) {
      issue('SHUTDOWN_DRAIN_MS', 'must be at most half of SHUTDOWN_TIMEOUT_MS: the rest of the shutdown needs the other half');
    }
    if (env.OUTBOX_RELAY_LEASE_MS <= env.REDIS_COMMAND_TIMEOUT_MS * 2) {
      issue('OUTBOX_RELAY_LEASE_MS', 'must be more than twice REDIS_COMMAND_TIMEOUT_MS: a claim must outlive the publishes made under it');
    }
  });

export type LogLevel = z.infer<typeof envSchema>['LOG_LEVEL'];

/** The secrets and keys; unset ones are generated outside production (see main.ts). */
export interface KeysConfig {
  /** HS256 secret of end-user tokens. */
  jwtSecret: string | undefined;
  /** Bearer key of POST /api/events. */
  ingestApiKey: string | undefined;
  /** Bearer key of erase and export. */
  adminApiKey: string | undefined;
  /** Bearer token of /metrics; unset: /metrics answers loopback peers only. */
  metricsToken: string | undefined;
}

export interface AuthConfig {
  /** Also accept RS256/ES256 tokens whose keys this JWKS publishes (https:, or http: on loopback). */
  jwksUrl: string | undefined;
  /** Required `iss` of JWKS tokens (required with jwksUrl). */
  issuer: string | undefined;
  /** Required `aud` of JWKS tokens, and of HS256 tokens too when set. */
  audience: string | undefined;
  /** Longest accepted token lifetime, `exp − iat` (or `exp − now` without `iat`), in seconds. */
  maxTokenTtlSeconds: number;
}

export interface HttpConfig {
  port: number;
  /** Unset HOST: 127.0.0.1 in demo mode (its token endpoint serves anyone who reaches it), else 0.0.0.0. */
  host: string;
  /** The built panel served at `/`; undefined: the one that ships with belfry. */
  staticDir: string | undefined;
  /** Origins whose pages may load the panel and call the user API (CORS). */
  corsOrigins: string[];
  /** Origins that may open a socket with the cookie, besides the server's own. */
  allowedOrigins: string[];
}

export interface LimitsConfig {
  maxSocketsPerUser: number;
  /** Requests per second per ingest key, per process. */
  ingestPerSecond: number;
  /** REST requests per second per user, per process. */
  userPerSecond: number;
  /** How long an ingest request may wait for its insert to start; then 503, and it is never inserted. */
  ingestQueueTimeoutMs: number;
  /** Most events waiting for an insert, per process; past it, 503 at once. */
  ingestQueueMax: number;
}

export interface RelayConfig {
  intervalMs: number;
  /** Entries younger than this are left to the process that wrote them. */
  minAgeMs: number;
  /** How long a relay's claim on outbox entries keeps other relays off them (a relay that died frees them after this). */
  leaseMs: number;
}

export interface RedisConfig {
  /** Unset (and no cluster nodes): the in-process bus (one process only). */
  url: string | undefined;
  /** Seeds of a Redis Cluster, as redis:// URLs; non-empty: the sharded bus (src/bus/cluster.ts) instead of `url`. */
  clusterNodes: string[];
  /** Shard channels on a cluster; every process of a deployment must use the same number. */
  shards: number;
  prefix: string;
  /** A command (publish, ping) not answered within this fails; also the connect timeout. */
  commandTimeoutMs: number;
  /** Both connections are pinged this often; one that does not answer is dropped and reconnected. */
  heartbeatMs: number;
  /** Publishes waiting for Redis at once; more fail at once (their batches stay in the outbox). */
  maxPendingPublishes: number;
}

export interface Config {
  production: boolean;
  /**
   * Demo mode: the embedded database with every secret generated, outside production. Only then are the demo
   * page and its token endpoint served, and generated keys printed.
   */
  demo: boolean;
  logLevel: LogLevel;
  logFormat: 'auto' | 'json' | 'pretty';
  workers: number;
  /** Folder for local state (embedded Postgres data, generated secrets), relative to the working directory. */
  home: string;
  database: {
    /** Unset: start the embedded Postgres. */
    url: string | undefined;
    statementTimeoutMs: number;
    /**
     * Named prepared statements; false behind a transaction-mode pool (pgbouncer), where the next statement of a
     * client may land on a server connection that never saw the prepare.
     */
    prepare: boolean;
    embedded: { dir: string; port: number | undefined };
  };
  redis: RedisConfig;
  keys: KeysConfig;
  auth: AuthConfig;
  http: HttpConfig;
  limits: LimitsConfig;
  relay: RelayConfig;
  /** Unset: notifications are kept until erased. */
  retentionDays: number | undefined;
  shutdown: ShutdownConfig;
}

export interface ShutdownConfig {
  /** Hard limit of the whole shutdown, drain included. */
  timeoutMs: number;
  /** Sockets are told to reconnect after a random delay up to this. */
  reconnectSpreadMs: number;
  /**
   * How long /readyz fails before anything else stops, so a balancer's health check takes the process out of
   * rotation while it still serves; 0 without a balancer.
   */
  drainMs: number;
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
  const production = e.NODE_ENV === 'production';
  const demo = !production && !e.DATABASE_URL && !e.JWT_SECRET && !e.INGEST_API_KEY && !e.ADMIN_API_KEY;
  return {
    production,
    demo,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    workers: e.WORKERS,
    home: e.BELFRY_HOME,
    database: {
      url: e.DATABASE_URL,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT * 1000,
      prepare: e.DATABASE_PREPARE,
      embedded: { dir: e.EMBEDDED_PG_DIR ?? `${e.BELFRY_HOME}/postgres`, port: e.EMBEDDED_PG_PORT },
    },
    redis: {
      url: e.REDIS_URL,
      clusterNodes: e.REDIS_CLUSTER_NODES,
      shards: e.REDIS_SHARDS,
      prefix: e.REDIS_PREFIX,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
      heartbeatMs: e.REDIS_HEARTBEAT_MS,
      maxPendingPublishes: e.REDIS_MAX_PENDING_PUBLISHES,
    },
    keys: { jwtSecret: e.JWT_SECRET, ingestApiKey: e.INGEST_API_KEY, adminApiKey: e.ADMIN_API_KEY, metricsToken: e.METRICS_TOKEN },
    auth: { jwksUrl: e.JWT_JWKS_URL, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE, maxTokenTtlSeconds: e.JWT_MAX_TTL },
    http: {
      port: e.PORT,
      host: e.HOST ?? (demo ? '127.0.0.1' : '0.0.0.0'),
      staticDir: e.STATIC_DIR,
      corsOrigins: e.CORS_ORIGINS,
      allowedOrigins: e.ALLOWED_ORIGINS,
    },
    limits: {
      maxSocketsPerUser: e.MAX_SOCKETS_PER_USER,
      ingestPerSecond: e.INGEST_RATE_LIMIT,
      userPerSecond: e.USER_RATE_LIMIT,
      ingestQueueTimeoutMs: e.INGEST_QUEUE_TIMEOUT_MS,
      ingestQueueMax: e.INGEST_QUEUE_MAX,
    },
    relay: { intervalMs: e.OUTBOX_RELAY_INTERVAL_MS, minAgeMs: e.OUTBOX_RELAY_MIN_AGE_MS, leaseMs: e.OUTBOX_RELAY_LEASE_MS },
    retentionDays: e.RETENTION_DAYS,
    shutdown: { timeoutMs: e.SHUTDOWN_TIMEOUT_MS, reconnectSpreadMs: e.RECONNECT_SPREAD_MS, drainMs: e.SHUTDOWN_DRAIN_MS },
  };
}

/**
 * The Redis timing settings with nothing configured, for a caller that passes only the URL and prefix to the bus;
 * read from the schema above, so the defaults still live in one place.
 */
export function defaultRedisTiming(): Pick<RedisConfig, 'commandTimeoutMs' | 'heartbeatMs' | 'maxPendingPublishes' | 'shards'> {
  const { commandTimeoutMs, heartbeatMs, maxPendingPublishes, shards } = loadConfig({}).redis;
  return { commandTimeoutMs, heartbeatMs, maxPendingPublishes, shards };
}
