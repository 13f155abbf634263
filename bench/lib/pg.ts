/** The bench's own Postgres database: created fresh per invocation, never touching any other. */

import postgres from "postgres";

/** Drops (if ours and present) and recreates `name`; returns its URL. `name` must start with belfry_bench. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^belfry_bench[a-z0-9_]*$/.test(name)) throw new Error(`refusing to manage database ${name}`);
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`;
    await sql.unsafe(`drop database if exists ${name}`);
    await sql.unsafe(`create database ${name}`);
  } finally {
    await sql.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Server version string, e.g. "15.20". */
export async function postgresVersion(url: string): Promise<string> {
  const sql = postgres(url, { max: 1 });
  try {
    const [row] = await sql<[{ server_version: string }?]>`show server_version`;
    return row?.server_version ?? "unknown";
  } finally {
    await sql.end();
  }
}

/** Redis version from INFO, over a raw connection so the harness needs no Redis client. */
export async function redisVersion(redisUrl: string): Promise<string> {
  const u = new URL(redisUrl);
  return new Promise((resolve) => {
    let buf = "";
    const timer = setTimeout(() => resolve("unknown"), 2000);
    Bun.connect({
      hostname: u.hostname,
      port: Number(u.port || 6379),
      socket: {
        open(s) { s.write("INFO server\r\n"); },
        data(s, d) {
          buf += d.toString();
          const m = /redis_version:([^\r\n]+)/.exec(buf);
          if (m) { clearTimeout(timer); s.end(); resolve(m[1] ?? "unknown"); }
        },
        error() { clearTimeout(timer); resolve("unknown"); },
      },
    }).catch(() => resolve("unknown"));
  });
}
