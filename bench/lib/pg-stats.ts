/** What the database did for a target during a measurement: commits, rows, and the CPU of its backends. */

import postgres from "postgres";
import { readFileSync } from "node:fs";

export interface PgSample {
  commits: number;
  inserted: number;
  deleted: number;
  /** utime + stime of the backends connected to the database, summed (seconds). */
  backendCpuSeconds: number;
}

export interface PgCost {
  commits: number;
  inserted: number;
  deleted: number;
  backendCpuSeconds: number;
}

function cpuOf(pid: number): number {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** Reads pg_stat_database and the backends of `databaseUrl`'s database (excluding this connection). */
export async function pgSample(databaseUrl: string): Promise<PgSample> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    // The statistics collector lags by up to 500 ms; a fresh snapshot is forced first.
    await sql`select pg_stat_clear_snapshot()`;
    const [db] = await sql<[{ commits: string; inserted: string; deleted: string }?]>`
      select xact_commit::text as commits, tup_inserted::text as inserted, tup_deleted::text as deleted
      from pg_stat_database
      where datname = current_database()
    `;
    const backends = await sql<{ pid: number }[]>`
      select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
    `;
    return {
      commits: Number(db?.commits ?? 0),
      inserted: Number(db?.inserted ?? 0),
      deleted: Number(db?.deleted ?? 0),
      backendCpuSeconds: backends.reduce((s, b) => s + cpuOf(b.pid), 0),
    };
  } finally {
    await sql.end();
  }
}

/** The difference between two samples. Backend CPU is only comparable while the pool kept its connections. */
export function pgCost(before: PgSample, after: PgSample): PgCost {
  return {
    commits: after.commits - before.commits,
    inserted: after.inserted - before.inserted,
    deleted: after.deleted - before.deleted,
    backendCpuSeconds: Math.max(0, after.backendCpuSeconds - before.backendCpuSeconds),
  };
}
