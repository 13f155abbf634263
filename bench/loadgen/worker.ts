/**
 * A load-generator subprocess: holds up to ~9,500 sockets (the per-process open-file cap is 20,000),
 * records connect times and delivery latencies, and reports to the harness over IPC.
 */

import { now } from "../lib/clock.ts";
import { tokenSigner } from "../lib/jwt.ts";
import { parseMessage } from "../lib/payload.ts";
import { decode, socketUrl } from "./codec.ts";
import type { Command, ConnectCommand, Report } from "./messages.ts";

const sockets: WebSocket[] = [];
let latencies: number[] = [];
let seen = new Set<number>();
let duplicates = 0;
let unparsable = 0;
let firstAt = 0;
let lastAt = 0;
let received = 0;
let open = 0;
let connecting = 0;
let errors = 0;
let closedUnexpectedly = 0;
let closing = false;
let pings = 0;
let pongs = 0;
let heartbeat: Timer | undefined;
const PING = JSON.stringify({ type: "PING" });
const HEARTBEAT_TICK_MS = 100;

function report(r: Report): void {
  process.send?.(r);
}

/** Room for user indexes in a delivery key; far above the sockets one run opens (47,500 at most). */
const USER_SLOTS = 2 ** 20;

function onNotification(message: string | undefined, user: number): void {
  const at = now();
  const parsed = message ? parseMessage(message) : null;
  if (!parsed) { unparsable++; return; }
  // Each user has one socket, and a seq reaches a user at most once (a user_ids event shares its seq among its
  // users): a repeated (seq, user) is a duplicate. A copy sent to a wrong user shows up as one delivery too many.
  const key = parsed.seq * USER_SLOTS + user;
  if (seen.has(key)) duplicates++;
  else seen.add(key);
  received++;
  if (firstAt === 0) firstAt = at;
  lastAt = at;
  latencies.push(at - parsed.sentAt);
}

/** Opens one socket and resolves with its connect time once the server says it is subscribed. */
function connectOne(cmd: ConnectCommand, user: number, url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = now();
    let ready = false;
    const ws = new WebSocket(url);
    const timer = setTimeout(() => { if (!ready) { ws.close(); reject(new Error("timeout")); } }, cmd.timeoutMs);
    ws.onmessage = (ev) => {
      try {
        const d = decode(cmd.protocol, ev.data as string, token);
        if (d.reply) ws.send(d.reply);
        if (d.kind === "notification") onNotification(d.message, user);
        else if (d.kind === "pong") pongs++;
        else if (d.kind === "ready" && !ready) {
          ready = true;
          clearTimeout(timer);
          resolve(now() - started);
        }
      } catch (err) {
        if (!ready) { clearTimeout(timer); ws.close(); reject(err as Error); }
      }
    };
    ws.onclose = (ev) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`closed ${ev.code} before ready`));
      else if (!closing) { closedUnexpectedly++; open--; }
    };
    ws.onerror = () => { if (!ready) { clearTimeout(timer); reject(new Error("socket error")); } };
    sockets.push(ws);
  });
}

async function connectAll(cmd: ConnectCommand): Promise<void> {
  const sign = tokenSigner(cmd.jwtSecret);
  const connectMs: number[] = [];
  const errorSamples: string[] = [];
  let mine = 0;
  let myErrors = 0;
  const started = now();
  let next = cmd.from;
  const lane = async (): Promise<void> => {
    while (next < cmd.to) {
      const i = next++;
      const token = await sign(`${cmd.userPrefix}${i}`);
      const base = cmd.wsUrls[i % cmd.wsUrls.length] as string;
      const url = socketUrl(cmd.protocol, base, token);
      connecting++;
      try {
        connectMs.push(await connectOne(cmd, i, url, token));
        open++;
        mine++;
      } catch (err) {
        errors++;
        myErrors++;
        const msg = String((err as Error).message ?? err);
        if (errorSamples.length < 5 && !errorSamples.includes(msg)) errorSamples.push(msg);
      } finally {
        connecting--;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, cmd.concurrency) }, lane));
  report({ op: "connected", open: mine, errors: myErrors, errorSamples, connectMs, wallMs: now() - started });
}

const ticker = setInterval(() => report({ op: "progress", open, connecting, errors, received, closedUnexpectedly, pings, pongs }), 500);

/** Every tick, the next share of the sockets sends a PING, so each one pings once per `everyMs`, as the panel does. */
function startHeartbeat(everyMs: number): void {
  clearInterval(heartbeat);
  heartbeat = undefined;
  if (everyMs <= 0) return;
  let next = 0;
  let owed = 0;
  heartbeat = setInterval(() => {
    owed += (sockets.length * HEARTBEAT_TICK_MS) / everyMs;
    for (; owed >= 1; owed--) {
      const ws = sockets[next++ % sockets.length];
      if (ws?.readyState !== WebSocket.OPEN) continue;
      ws.send(PING);
      pings++;
    }
  }, HEARTBEAT_TICK_MS);
}

process.on("message", (raw) => {
  const cmd = raw as Command;
  switch (cmd.op) {
    case "connect":
      void connectAll(cmd);
      break;
    case "reset":
      latencies = []; seen = new Set(); duplicates = 0; unparsable = 0; firstAt = 0; lastAt = 0; received = 0;
      break;
    case "collect":
      report({ op: "collected", latencies, duplicates, unparsable, firstAt, lastAt, open, closedUnexpectedly });
      break;
    case "clock":
      report({ op: "clock", childNow: now() });
      break;
    case "heartbeat":
      startHeartbeat(cmd.everyMs);
      break;
    case "close":
      closing = true;
      clearInterval(ticker);
      clearInterval(heartbeat);
      for (const ws of sockets) ws.close();
      setTimeout(() => process.exit(0), 300);
      break;
  }
});

report({ op: "ready" });
