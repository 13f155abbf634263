/** What Postgres alone does on this machine: 1000-row unnest inserts into a table shaped like belfry's. */

import postgres from "postgres";
import { now } from "../lib/clock.ts";
import { makeMessage } from "../lib/payload.ts";

/** Rows committed per second by `concurrency` clients inserting `batchSize`-row batches for `durationSec`. */
export async function postgresBaseline(databaseUrl: string, durationSec: number, concurrency = 4, batchSize = 1000): Promise<number> {
  const sql = postgres(databaseUrl, { max: concurrency, onnotice: () => {} });
  try {
    await sql`
      create table if not exists pg_baseline (
        id bigint generated always as identity primary key,
        user_id text not null,
        type text not null,
        message text not null,
        idempotency_key text,
        created_at timestamptz not null default now(),
        read_at timestamptz,
        unique (user_id, idempotency_key)
      )
    `;
    const users = Array.from({ length: batchSize }, (_, i) => `u-${i}`);
    const types = users.map(() => "bench");
    const messages = users.map((_, i) => makeMessage(i, now()));
    let rows = 0;
    const start = now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (now() - start < durationSec * 1000) {
        await sql`
          insert into pg_baseline (user_id, type, message)
          select * from unnest(${sql.array(users)}::text[], ${sql.array(types)}::text[], ${sql.array(messages)}::text[])
        `;
        rows += batchSize;
      }
    }));
    return (rows / (now() - start)) * 1000;
  } finally {
    await sql`drop table if exists pg_baseline`.catch(() => {});
    await sql.end();
  }
}
