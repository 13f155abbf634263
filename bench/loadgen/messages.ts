/** The messages between the harness and its load-generator subprocesses (Bun IPC, JSON). */

import type { Protocol } from "../targets/types.ts";

export interface ConnectCommand {
  op: "connect";
  protocol: Protocol;
  wsUrls: string[];
  jwtSecret: string;
  /** User ids this generator owns: `${userPrefix}${i}` for i in [from, to). */
  userPrefix: string;
  from: number;
  to: number;
  /** Connects in flight at once; more overflows the listen backlog and measures SYN retries. */
  concurrency: number;
  timeoutMs: number;
}

export type Command =
  | ConnectCommand
  | { op: "reset" }
  | { op: "collect" }
  | { op: "clock"; parentNow: number }
  /** The panel's heartbeat from every open socket: a PING every `everyMs` (spread evenly), or none with 0. */
  | { op: "heartbeat"; everyMs: number }
  | { op: "close" };

export interface ConnectReport {
  op: "connected";
  open: number;
  errors: number;
  errorSamples: string[];
  /** Per-socket ms from `new WebSocket` to the server's ready frame. */
  connectMs: number[];
  wallMs: number;
}

export interface Progress {
  op: "progress";
  open: number;
  connecting: number;
  errors: number;
  received: number;
  closedUnexpectedly: number;
  /** Heartbeat PINGs sent and PONGs received since the start. */
  pings: number;
  pongs: number;
}

export interface Collected {
  op: "collected";
  /** ms from the ingest request's send time (in the message) to arrival at this client. */
  latencies: number[];
  duplicates: number;
  unparsable: number;
  firstAt: number;
  lastAt: number;
  open: number;
  closedUnexpectedly: number;
}

export type Report =
  | ConnectReport
  | Progress
  | Collected
  | { op: "clock"; childNow: number }
  | { op: "ready" };
