/**
 * The peer a Node team would pick: Socket.IO 4 + Redis adapter on Node 20, JWT checked at handshake,
 * one room per user, notifications inserted with one multi-row insert, then emitted per row.
 * Compiled to JS for Node by the harness (bun build --target=node). Env: PORT, DATABASE_URL,
 * REDIS_URL, REDIS_PREFIX, JWT_SECRET, INGEST_API_KEY.
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import postgres from "postgres";
import { jwtVerify } from "jose";

interface Event { user_id: string; type: string; message: string; idempotency_key?: string }
interface Row { id: string; user_id: string; type: string; message: string; created_at: Date }

const env = process.env;
const key = new TextEncoder().encode(env.JWT_SECRET ?? "bench-secret");
const ingestAuth = `Bearer ${env.INGEST_API_KEY ?? "bench-key"}`;
const sql = postgres(env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/belfry_bench", { max: 10, onnotice: () => {} });
const pub = new Redis(env.REDIS_URL ?? "redis://127.0.0.1:6379");
const sub = pub.duplicate();
// ioredis reconnects by itself; an unhandled "error" event would only print a warning without the cause.
for (const client of [pub, sub]) client.on("error", (err: Error) => console.error(JSON.stringify({ msg: "redis error", err: err.message })));

await sql`
  create table if not exists sio_notifications (
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

const http = createServer((req, res) => void route(req, res));
const io = new Server(http, {
  transports: ["websocket"],
  perMessageDeflate: false,
  adapter: createAdapter(pub, sub, { key: `${env.REDIS_PREFIX ?? "bench:"}socket.io` }),
});

// Authenticate once, at the handshake, as the Socket.IO docs recommend.
io.use(async (socket, next) => {
  try {
    const { payload } = await jwtVerify(String(socket.handshake.auth.token ?? ""), key, { algorithms: ["HS256"] });
    if (typeof payload.sub !== "string") throw new Error("no sub");
    socket.data.userId = payload.sub;
    next();
  } catch {
    next(new Error("unauthorized"));
  }
});

io.on("connection", (socket) => {
  const userId = socket.data.userId as string;
  void socket.join(`user:${userId}`);
  socket.emit("ready", { user_id: userId });
});

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.url === "/readyz") return send(res, 200, { status: "ready" });
  if (req.url !== "/api/events" || req.method !== "POST") return send(res, 404, { error: { code: "not_found" } });
  if (req.headers.authorization !== ingestAuth) return send(res, 401, { error: { code: "unauthorized" } });
  try {
    const body = (await readJson(req)) as Event | { events: Event[] };
    const events = "events" in body ? body.events : [body];
    const rows = await sql<Row[]>`
      insert into sio_notifications (user_id, type, message, idempotency_key)
      select * from unnest(
        ${sql.array(events.map((e) => e.user_id))}::text[],
        ${sql.array(events.map((e) => e.type))}::text[],
        ${sql.array(events.map((e) => e.message))}::text[],
        ${sql.array(events.map((e) => e.idempotency_key ?? null))}::text[]
      )
      returning id::text, user_id, type, message, created_at
    `;
    for (const r of rows) {
      io.to(`user:${r.user_id}`).emit("notification", {
        id: r.id, type: r.type, message: r.message, created_at: r.created_at.toISOString(),
      });
    }
    send(res, 201, { ids: rows.map((r) => r.id) });
  } catch {
    send(res, 503, { error: { code: "unavailable" } });
  }
}

http.listen(Number(env.PORT ?? 3200), () => console.log(JSON.stringify({ msg: "socket.io listening", port: env.PORT })));
process.on("SIGTERM", () => {
  io.close();
  void Promise.allSettled([sql.end(), pub.quit(), sub.quit()]).then(() => process.exit(0));
});
