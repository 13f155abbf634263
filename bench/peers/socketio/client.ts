/**
 * Checks the Socket.IO peer with the official client: USERS sockets, one notification each, all must arrive.
 * The harness's load generators speak the same Engine.IO/Socket.IO packets over Bun's WebSocket instead,
 * so that every target is measured with the same client cost.
 * Env: URL (http://127.0.0.1:3200), JWT_SECRET, INGEST_API_KEY, USERS (100).
 */

import { io, type Socket } from "socket.io-client";
import { tokenSigner } from "../../lib/jwt.ts";

const url = process.env.URL ?? "http://127.0.0.1:3200";
const users = Number(process.env.USERS ?? 100);
const sign = tokenSigner(process.env.JWT_SECRET ?? "bench-secret");
const sockets: Socket[] = [];
let received = 0;

await Promise.all(Array.from({ length: users }, async (_, i) => {
  const socket = io(url, { transports: ["websocket"], auth: { token: await sign(`sio-check-${i}`) } });
  sockets.push(socket);
  socket.on("notification", () => received++);
  await new Promise<void>((resolve, reject) => {
    socket.once("ready", () => resolve());
    socket.once("connect_error", reject);
  });
}));

const started = performance.now();
const res = await fetch(`${url}/api/events`, {
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${process.env.INGEST_API_KEY ?? "bench-key"}` },
  body: JSON.stringify({ events: Array.from({ length: users }, (_, i) => ({ user_id: `sio-check-${i}`, type: "check", message: "hello" })) }),
});
while (received < users && performance.now() - started < 5000) await Bun.sleep(10);
console.log(`ingest ${res.status}; delivered ${received}/${users} in ${(performance.now() - started).toFixed(1)} ms`);
for (const s of sockets) s.close();
process.exit(received === users ? 0 : 1);
