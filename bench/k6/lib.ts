/**
 * Shared pieces of the k6 scripts: configuration from env, HS256 tokens (k6 has no jose; HMAC via k6/crypto),
 * the ingest request and the socket that records delivery latency. Run these from another machine with k6 ≥ 1.0.
 */
import http from "k6/http";
import crypto from "k6/crypto";
import encoding from "k6/encoding";
import { Counter, Trend } from "k6/metrics";
import { WebSocket } from "k6/websockets";
import { setTimeout } from "k6/timers";

export const BASE_URL = __ENV.BASE_URL ?? "http://127.0.0.1:3000";
export const WS_URL = __ENV.WS_URL ?? BASE_URL.replace(/^http/, "ws");
const JWT_SECRET = __ENV.JWT_SECRET ?? "";
export const INGEST_API_KEY = __ENV.INGEST_API_KEY ?? "";
export const PREFIX = __ENV.USER_PREFIX ?? `k6-${Date.now().toString(36)}-`;

/** Send → client latency, from the send time (ms) written into each message. One k6 instance, one clock. */
export const deliveryLatency = new Trend("delivery_latency", true);
export const received = new Counter("notifications_received");
export const sent = new Counter("notifications_sent");
export const connected = new Counter("sockets_ready");
export const connectTime = new Trend("connect_time", true);

const b64 = (s: string) => encoding.b64encode(s, "rawurl");

/** An HS256 JWT with `sub` = user id, valid for two hours. */
export function token(userId: string): string {
  const head = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64(JSON.stringify({ sub: userId, exp: Math.floor(Date.now() / 1000) + 7200 }));
  const sig = crypto.hmac("sha256", JWT_SECRET, `${head}.${body}`, "base64rawurl");
  return `${head}.${body}.${sig}`;
}

/** The user id of socket `i`. */
export const userId = (i: number): string => `${PREFIX}${i}`;

/** One ingest request (one event, or a batch) with the send time in each message. */
export function ingestRequest(users: string[]): [string, string, string, { headers: Record<string, string> }] {
  const sentAt = Date.now();
  const events = users.map((u, i) => ({ user_id: u, type: "bench", message: `k6 ${i} ${sentAt} Ada replied to your comment` }));
  const body = JSON.stringify(users.length === 1 ? events[0] : { events });
  sent.add(users.length);
  return ["POST", `${BASE_URL}/api/events`, body, { headers: { "content-type": "application/json", authorization: `Bearer ${INGEST_API_KEY}` } }];
}

/** Sends one ingest request and returns its status. */
export function ingest(users: string[]): number {
  const [, url, body, params] = ingestRequest(users);
  return http.post(url, body, params).status;
}

/** Send → client latency of one notification whose message carries its send time as the third word. */
function recordLatency(message: string): void {
  const sentAt = Number(message.split(" ")[2]);
  if (Number.isFinite(sentAt)) deliveryLatency.add(Date.now() - sentAt);
}

/**
 * Opens user `i`'s socket, counts READY and every NOTIFICATION, hands each notification's message to `onNotification`
 * (by default: its delivery latency), and closes after `holdMs`.
 */
export function holdSocket(i: number, holdMs: number, onNotification: (message: string) => void = recordLatency): void {
  const started = Date.now();
  const ws = new WebSocket(`${WS_URL}/ws?token=${token(userId(i))}`);
  ws.onmessage = (ev) => {
    if (!ev) return;
    const frame = JSON.parse(String(ev.data)) as { type: string; payload?: { message?: string } };
    if (frame.type === "READY") {
      connected.add(1);
      connectTime.add(Date.now() - started);
    } else if (frame.type === "NOTIFICATION") {
      received.add(1);
      onNotification(frame.payload?.message ?? "");
    }
  };
  setTimeout(() => ws.close(), holdMs);
}

/** Prints delivered/expected and says FAILED unless it is 100%; k6 runs this at the end. */
export function summary(data: { metrics: Record<string, { values: Record<string, number> }> }): Record<string, string> {
  const got = data.metrics.notifications_received?.values.count ?? 0;
  const want = data.metrics.notifications_sent?.values.count ?? 0;
  const lat = data.metrics.delivery_latency?.values ?? {};
  const verdict = got === want && want > 0 ? "ok" : `FAILED: delivered ${got} of ${want}`;
  const line = `delivered ${got}/${want}  p50 ${lat.med} ms  p95 ${lat["p(95)"]} ms  p99 ${lat["p(99)"]} ms  max ${lat.max} ms  ${verdict}\n`;
  return { stdout: line, "summary.json": JSON.stringify(data, null, 2) };
}
