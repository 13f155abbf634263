/**
 * The Postgres client factory. Only main.ts (and tests) call it; everything else receives the Sql it returns.
 */
import postgres from 'postgres';

export type Sql = postgres.Sql;

export interface SqlOptions {
  /** Pool size; ingest group commit keeps a few inserts in flight, reads take the rest. */
  max?: number;
  /** Seconds to wait for a connection before the request fails with 503. */
  connectTimeout?: number;
  /** Server-side limit of one statement (Postgres `statement_timeout`), so a stuck query cannot hold a connection. */
  statementTimeoutMs: number;
  /** Named prepared statements (DATABASE_PREPARE, true unless set); a transaction-mode pool needs them off. */
  prepare?: boolean;
}

/**
 * A URL may name a Unix socket's folder as libpq does (`?host=/path`, the embedded default's form); postgres.js takes
 * that folder as an option instead, and would otherwise send `host` to the server as a setting.
 */
function splitSocketHost(url: string): { url: string; host: string | undefined } {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  const host = parsed?.searchParams.get('host');
  if (!parsed || !host?.startsWith('/')) return { url, host: undefined };
  parsed.searchParams.delete('host');
  return { url: parsed.toString(), host };
}

/** Opens a postgres.js pool; ids (int8) stay strings, timestamps come back as Date. */
export function createSql(target: string, { max = 10, connectTimeout = 5, statementTimeoutMs, prepare = true }: SqlOptions): Sql {
  const { url, host } = splitSocketHost(target);
  return postgres(url, {
    ...(host ? { host } : {}),
    max,
    connect_timeout: connectTimeout,
    idle_timeout: 60,
    onnotice: () => {},
    prepare,
    // Sent as a startup parameter: pgbouncer refuses it unless told to ignore it, and then it never arrives, so
    // behind pgbouncer the timeout is a setting of the role (docs/deploy.md).
    connection: { application_name: 'belfry', statement_timeout: statementTimeoutMs },
  });
}
