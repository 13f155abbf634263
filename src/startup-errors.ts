/**
 * Start-up failures as one line that names the cause and the fix ("port 3000 is in use: set PORT").
 * Each start-up step wraps what it throws in a StartupError naming the step, so the same error code (ECONNREFUSED,
 * EADDRINUSE) reads right for Postgres, Redis or the HTTP port. Anything not recognised still names its cause.
 */
import { ConfigError } from './config.ts';
import { EmbeddedPostgresError } from './db/embedded.ts';
import { MigrationError } from './db/migrate.ts';
import { PostgresBinariesError } from './db/postgres-binaries.ts';

export type StartupStage = 'database' | 'migrations' | 'redis' | 'http' | 'files' | 'panel';

/** An error thrown by one start-up step. */
export class StartupError extends Error {
  override name = 'StartupError';
  constructor(
    readonly stage: StartupStage,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Runs one start-up step, tagging whatever it throws with the step. */
export async function step<T>(stage: StartupStage, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof StartupError ? error : new StartupError(stage, error);
  }
}

/** What the explanation may mention: the configured addresses (never a password). */
export interface StartupContext {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** The cluster seeds, when REDIS_CLUSTER_NODES names them instead of REDIS_URL. */
  redisClusterNodes?: readonly string[] | undefined;
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  path?: unknown;
}

const codeOf = (error: unknown) => String((error as ErrorLike | undefined)?.code ?? '');
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]?.trim() ?? '';

/** host:port of a URL without its credentials. */
function address(url: string | undefined, defaultPort: number): string {
  if (!url || !URL.canParse(url)) return 'the configured address';
  const parsed = new URL(url);
  const socket = parsed.searchParams.get('host');
  if (socket?.startsWith('/')) return socket;
  return `${parsed.hostname}:${parsed.port || defaultPort}`;
}

const hostOf = (url: string | undefined) => (url && URL.canParse(url) ? new URL(url).hostname : 'the configured host');

function networkLine(variable: string, url: string | undefined, defaultPort: number, code: string, fix: string): string | undefined {
  const at = address(url, defaultPort);
  if (code === 'ECONNREFUSED') return `${variable}: connection refused at ${at}: ${fix}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${variable}: host ${hostOf(url)} not found: fix ${variable}`;
  if (code === 'CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return `${variable}: no answer from ${at}: check the address and the firewall, or fix ${variable}`;
  if (code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `${variable}: cannot reach ${at} (${code}): check the address and the network, or fix ${variable}`;
  return undefined;
}

function databaseLine(cause: unknown, context: StartupContext): string {
  if (cause instanceof EmbeddedPostgresError || cause instanceof PostgresBinariesError) return embeddedLine(cause);
  const code = codeOf(cause);
  const url = context.databaseUrl;
  const network = networkLine('DATABASE_URL', url, 5432, code, 'start Postgres there, or fix DATABASE_URL');
  if (network) return network;
  if (!url) return `the embedded Postgres failed: ${messageOf(cause)}: run with LOG_LEVEL=debug to see its log, or set DATABASE_URL`;
  const user = URL.canParse(url) ? decodeURIComponent(new URL(url).username) : '';
  const database = URL.canParse(url) ? new URL(url).pathname.slice(1) : '';
  if (code === '28P01' || code === '28000') return `DATABASE_URL: Postgres refused user ${user || '(none)'} (${messageOf(cause)}): fix the user or password in DATABASE_URL`;
  if (code === '3D000') return `DATABASE_URL: database ${database} does not exist at ${address(url, 5432)}: create it (createdb ${database}) or fix DATABASE_URL`;
  if (code === '57P03') return `DATABASE_URL: Postgres at ${address(url, 5432)} is starting up or shutting down: try again in a moment`;
  return `DATABASE_URL: ${messageOf(cause)}${code ? ` (${code})` : ''}: check Postgres at ${address(url, 5432)}`;
}

function embeddedLine(cause: EmbeddedPostgresError | PostgresBinariesError): string {
  if (cause instanceof PostgresBinariesError) return cause.message;
  const { port, dir, pid } = cause.detail;
  switch (cause.kind) {
    case 'port-in-use':
      return `port ${port} is in use: set EMBEDDED_PG_PORT to a free port, or unset it (the embedded Postgres then needs no port)`;
    case 'in-use':
      return `the embedded Postgres in ${dir} is in use by another belfry (pid ${pid}): stop that one, or set BELFRY_HOME (or EMBEDDED_PG_DIR) to another folder`;
    case 'unreachable':
      return `EMBEDDED_PG_DIR ${dir}: the postgres user cannot enter it (a folder above it is private): choose a folder every user can enter, or unset EMBEDDED_PG_DIR`;
    case 'not-runnable':
      return `the Postgres programs in ${dir} are not executable: run \`bun install\` again (with the package's scripts), or set DATABASE_URL`;
    case 'failed':
      return `the embedded Postgres failed: ${cause.message}: run with LOG_LEVEL=debug to see its log, or set DATABASE_URL`;
  }
}

function redisLine(cause: unknown, context: StartupContext): string {
  const code = codeOf(cause);
  // The cluster's first seed stands for the cluster: start-up tries every seed and reports the first one's error.
  const firstSeed = context.redisClusterNodes?.[0];
  const [variable, url] = firstSeed
    ? ['REDIS_CLUSTER_NODES', /^rediss?:\/\//.test(firstSeed) ? firstSeed : `redis://${firstSeed}`]
    : ['REDIS_URL', context.redisUrl];
  const unset = firstSeed ? 'or fix REDIS_CLUSTER_NODES' : 'fix REDIS_URL, or unset it (one process only)';
  const network = networkLine(variable, url, 6379, code, `start Redis there, ${unset}`);
  if (network) return network;
  const message = messageOf(cause);
  if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(message)) return `${variable}: Redis refused the credentials (${message}): fix the user or password in ${variable}`;
  return `${variable}: ${message} at ${address(url, 6379)}: check Redis there, or fix ${variable}`;
}

function httpLine(cause: unknown, context: StartupContext): string {
  const code = codeOf(cause);
  const message = messageOf(cause);
  if (code === 'EADDRINUSE' || /in use/i.test(message)) return `port ${context.port} is in use: set PORT to a free port, or stop what uses it`;
  if (code === 'EACCES') return `port ${context.port} needs privileges: set PORT to 1024 or above`;
  if (code === 'EADDRNOTAVAIL') return `HOST ${context.host} is not an address of this machine: set HOST (0.0.0.0 for every address)`;
  return `cannot listen on ${context.host}:${context.port} (${message}): set HOST and PORT`;
}

function filesLine(cause: unknown): string {
  const code = codeOf(cause);
  const path = String((cause as ErrorLike | undefined)?.path ?? 'the data folder');
  if (code === 'EACCES' || code === 'EPERM') return `cannot write ${path}: permission denied: set BELFRY_HOME to a folder you can write`;
  if (code === 'EROFS') return `cannot write ${path}: the file system is read-only: set BELFRY_HOME to a writable folder`;
  if (code === 'ENOSPC') return `cannot write ${path}: the disk is full: free some space or set BELFRY_HOME elsewhere`;
  return `cannot prepare ${path}: ${messageOf(cause)}: set BELFRY_HOME to a folder you can write`;
}

/** The one line printed when start-up fails. */
export function explainStartupError(error: unknown, context: StartupContext): string {
  if (error instanceof ConfigError) return error.message;
  if (!(error instanceof StartupError)) return `belfry could not start: ${messageOf(error)} (run with LOG_LEVEL=debug for details)`;
  const { cause } = error;
  switch (error.stage) {
    case 'database':
      return databaseLine(cause, context);
    case 'migrations':
      if (cause instanceof MigrationError) return `migration ${cause.file} failed: ${messageOf(cause.cause)}: fix the database (or the migration) and start again`;
      return databaseLine(cause, context);
    case 'redis':
      return redisLine(cause, context);
    case 'http':
      return httpLine(cause, context);
    case 'files':
      return filesLine(cause);
    case 'panel':
      return `the panel could not be built (${messageOf(cause)}): run \`bun run build:web\` to see why, or set STATIC_DIR to a built panel`;
  }
}
