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
}

/** Opens a postgres.js pool; ids (int8) stay strings, timestamps come back as Date. */
export function createSql(url: string, { max = 10, connectTimeout = 5, statementTimeoutMs }: SqlOptions): Sql {
  return postgres(url, {
    max,
    connect_timeout: connectTimeout,
    idle_timeout: 60,
    onnotice: () => {},
    connection: { application_name: 'belfry', statement_timeout: statementTimeoutMs },
  });
}
