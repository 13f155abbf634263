/** The ingest side of every scenario: POST /api/events exactly as an ingesting service would. */

import { now, sleep } from "./clock.ts";
import { makeMessage } from "./payload.ts";
import type { RunningTarget } from "../targets/types.ts";

export interface IngestStats {
  requests: number;
  failed: number;
  /** Events acknowledged with 201 (committed, for belfry and the peer). */
  acknowledged: number;
  failures: string[];
  /** Request round-trip times (ms): send → 201 received. */
  ackMs: number[];
  /** Requests answered 503 ("nothing was stored") and sent again, when the sender retries. */
  retried: number;
}

/** A fresh, empty tally. */
export function emptyStats(): IngestStats {
  return { requests: 0, failed: 0, acknowledged: 0, failures: [], ackMs: [], retried: 0 };
}

let seq = 0;

/**
 * Sends one request for `users` (one event each), stamping the send time into every message. `stampAt` replaces
 * that stamp when latency should run from an earlier moment (the start of a round of many requests).
 */
export async function sendEvents(target: RunningTarget, users: string[], stats: IngestStats, stampAt?: number, retries = 0): Promise<void> {
  const sentAt = now();
  const events = users.map((u) => ({ user_id: u, type: "bench", message: makeMessage(seq++, stampAt ?? sentAt) }));
  await post(target, JSON.stringify(events.length === 1 ? events[0] : { events }), events.length, sentAt, stats, retries);
}

/** Sends one event for all of `users` (`user_ids`): one message, one sequence number, one row per user. */
export async function sendToMany(target: RunningTarget, users: string[], stats: IngestStats, stampAt?: number): Promise<void> {
  const sentAt = now();
  const body = JSON.stringify({ user_ids: users, type: "bench", message: makeMessage(seq++, stampAt ?? sentAt) });
  await post(target, body, users.length, sentAt, stats);
}

/**
 * POSTs one body; with `retries`, a 503 (belfry's "nothing was stored, retry later") is sent again after its
 * Retry-After, as an ingesting service would, and the round trip then runs from the first attempt.
 */
async function post(target: RunningTarget, body: string, rows: number, sentAt: number, stats: IngestStats, retries = 0): Promise<void> {
  stats.requests++;
  try {
    let res: Response;
    let text: string;
    for (let attempt = 0; ; attempt++) {
      res = await fetch(target.ingestUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${target.ingestKey}` },
        body,
      });
      text = await res.text();
      if (res.status !== 503 || attempt >= retries) break;
      stats.retried++;
      await sleep(1000 * Math.min(5, Number(res.headers.get("retry-after")) || 1));
    }
    if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${text.slice(0, 160)}`);
    stats.acknowledged += rows;
    stats.ackMs.push(now() - sentAt);
  } catch (err) {
    stats.failed++;
    const msg = String((err as Error).message ?? err).slice(0, 160);
    if (stats.failures.length < 5 && !stats.failures.includes(msg)) stats.failures.push(msg);
  }
}

/** One single-event request per user, at most `inFlight` at a time; every message carries `stampAt`. */
export async function singles(target: RunningTarget, users: string[], inFlight: number, stats: IngestStats, stampAt: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < users.length) await sendEvents(target, [users[next++] as string], stats, stampAt);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(inFlight, users.length)) }, lane));
}

/** Splits `users` into batches of `batchSize` and sends them all at once (each retried `retries` times on 503). */
export async function burst(target: RunningTarget, users: string[], batchSize: number, stats: IngestStats, retries = 0): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < users.length; i += batchSize) batches.push(users.slice(i, i + batchSize));
  await Promise.all(batches.map((b) => sendEvents(target, b, stats, undefined, retries)));
}

export interface PacedOptions {
  ratePerSec: number;
  durationMs: number;
  /** Events per request (1 = single-event requests). */
  batchSize: number;
  pickUser: () => string;
  /** Cap on requests in flight; reaching it means the target fell behind, and is reported. */
  maxInFlight: number;
}

/** Sends `ratePerSec` events for `durationMs` on a fixed schedule (open loop: sends do not wait for answers). */
export async function paced(target: RunningTarget, o: PacedOptions, stats: IngestStats): Promise<{ lagged: number }> {
  const start = now();
  const pending = new Set<Promise<void>>();
  let sent = 0;
  let lagged = 0;
  while (now() - start < o.durationMs) {
    const due = Math.floor(((now() - start) / 1000) * o.ratePerSec);
    while (sent + o.batchSize <= due) {
      if (pending.size >= o.maxInFlight) { lagged++; break; }
      const users = Array.from({ length: o.batchSize }, o.pickUser);
      const p = sendEvents(target, users, stats).finally(() => pending.delete(p));
      pending.add(p);
      sent += o.batchSize;
    }
    await sleep(2);
  }
  await Promise.all(pending);
  return { lagged };
}

/** Closed loop for throughput: `concurrency` clients each send back-to-back requests for `durationMs`. */
export async function saturate(target: RunningTarget, concurrency: number, batchSize: number, durationMs: number, pickUser: () => string, stats: IngestStats): Promise<number> {
  const start = now();
  const client = async (): Promise<void> => {
    while (now() - start < durationMs) {
      await sendEvents(target, Array.from({ length: batchSize }, pickUser), stats);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return now() - start;
}
