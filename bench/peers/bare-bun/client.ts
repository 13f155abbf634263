/**
 * Checks the ceiling by hand: USERS sockets, one notification each, all must arrive.
 * Env: URL (http://127.0.0.1:3100), JWT_SECRET, INGEST_API_KEY, USERS (100).
 */

import { tokenSigner } from "../../lib/jwt.ts";

const url = process.env.URL ?? "http://127.0.0.1:3100";
const users = Number(process.env.USERS ?? 100);
const sign = tokenSigner(process.env.JWT_SECRET ?? "bench-secret");
const sockets: WebSocket[] = [];
let received = 0;

await Promise.all(Array.from({ length: users }, async (_, i) => {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws?token=${await sign(`bare-check-${i}`)}`);
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.onmessage = (ev) => {
      const type = (JSON.parse(ev.data as string) as { type: string }).type;
      if (type === "READY") resolve();
      if (type === "NOTIFICATION") received++;
    };
    ws.onerror = () => reject(new Error("socket error"));
  });
}));

const started = performance.now();
const res = await fetch(`${url}/api/events`, {
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${process.env.INGEST_API_KEY ?? "bench-key"}` },
  body: JSON.stringify({ events: Array.from({ length: users }, (_, i) => ({ user_id: `bare-check-${i}`, type: "check", message: "hello" })) }),
});
while (received < users && performance.now() - started < 5000) await Bun.sleep(10);
console.log(`ingest ${res.status}; delivered ${received}/${users} in ${(performance.now() - started).toFixed(1)} ms`);
for (const ws of sockets) ws.close();
process.exit(received === users ? 0 : 1);
