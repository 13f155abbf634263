/**
 * The ceiling: what Bun itself does with the same wire contract and no Postgres, no Redis.
 * JWT is still verified at upgrade so connect rates compare; ingest publishes straight to topics.
 * Env: PORT, JWT_SECRET, INGEST_API_KEY.
 */

import { jwtVerify } from "jose";

const port = Number(process.env.PORT ?? 3100);
const key = new TextEncoder().encode(process.env.JWT_SECRET ?? "bench-secret");
const ingestAuth = `Bearer ${process.env.INGEST_API_KEY ?? "bench-key"}`;

interface Conn { userId: string }
interface Event { user_id: string; type: string; message: string }

let nextId = 1;

const server = Bun.serve<Conn>({
  port,
  hostname: "0.0.0.0",
  reusePort: true,
  idleTimeout: 0,
  async fetch(req, srv) {
    const url = new URL(req.url);
    if (url.pathname === "/ws") {
      try {
        const { payload } = await jwtVerify(url.searchParams.get("token") ?? "", key, { algorithms: ["HS256"] });
        if (typeof payload.sub !== "string") throw new Error("no sub");
        if (srv.upgrade(req, { data: { userId: payload.sub } })) return undefined;
        return new Response("upgrade failed", { status: 400 });
      } catch {
        return new Response("unauthorized", { status: 401 });
      }
    }
    if (url.pathname === "/api/events" && req.method === "POST") {
      if (req.headers.get("authorization") !== ingestAuth) return new Response("unauthorized", { status: 401 });
      const body = (await req.json()) as Event | { events: Event[] };
      const events = "events" in body ? body.events : [body];
      const createdAt = new Date().toISOString();
      const ids: string[] = [];
      for (const e of events) {
        const id = String(nextId++);
        ids.push(id);
        srv.publish(`user:${e.user_id}`, JSON.stringify({
          type: "NOTIFICATION",
          payload: { id, type: e.type, message: e.message, created_at: createdAt },
        }));
      }
      return Response.json({ ids }, { status: 201 });
    }
    if (url.pathname === "/readyz") return Response.json({ status: "ready" });
    return new Response("not found", { status: 404 });
  },
  websocket: {
    // Compression off, as in belfry: per-socket deflate state costs ~tens of KiB.
    perMessageDeflate: false,
    open(ws) {
      ws.subscribe(`user:${ws.data.userId}`);
      ws.send(JSON.stringify({ type: "READY", payload: { user_id: ws.data.userId } }));
    },
    message(ws, msg) {
      if (typeof msg === "string" && msg.includes('"PING"')) ws.send('{"type":"PONG"}');
    },
  },
});

console.log(JSON.stringify({ msg: "bare-bun listening", port: server.port }));
process.on("SIGTERM", () => { server.stop(true); process.exit(0); });
