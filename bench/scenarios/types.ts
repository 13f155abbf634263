/** The shape every scenario returns, and the context it runs in. */

import type { PgCost } from "../lib/pg-stats.ts";
import type { ProcSample } from "../lib/proc.ts";
import type { Summary } from "../lib/stats.ts";
import type { TargetName } from "../targets/types.ts";

export interface ScenarioContext {
  databaseUrl: string;
  redisUrl: string;
  /** Unique per invocation; used in user ids and the Redis prefix. */
  runTag: string;
  clusterMode: "workers" | "procs";
  /** Multiplies durations; 1 = the preset as specified, < 1 for quick runs. */
  timeScale: number;
  /** Multiplies connection counts; 1 = the preset as specified. */
  sizeScale: number;
  /** A running belfry to target instead of starting one. */
  external?: { url: string; jwtSecret: string; ingestKey: string; pids: number[] };
  /** Where belfry writes Bun CPU profiles (--profile), if anywhere. */
  profileDir?: string;
}

export interface ConnectStats {
  requested: number;
  open: number;
  errors: number;
  errorSamples: string[];
  ratePerSec: number;
  ms: Summary;
}

export interface ServerStats {
  before: ProcSample;
  after: ProcSample;
  processes: number;
  cpuCores: number;
  rssPerConnectionKiB?: number;
  /** Database work in the same window: commits, rows, CPU of the backends serving this target. */
  postgres?: PgCost;
}

export interface DensityStep {
  connections: number;
  processes: number;
  held: number;
  rssKiB: number;
  rssPerConnectionKiB: number;
  connectRatePerSec: number;
  connectP95Ms: number;
  errors: number;
}

/** One measured round of the fanout scenario: one announcement to every connected user, sent one way. */
export interface FanoutRound {
  /** `user_ids`: one event for all users; `singles`: one request per user; `batch`: one request of one event per user. */
  mode: "user_ids" | "singles" | "batch";
  round: number;
  requests: number;
  /** Round start → the last 201 (ms). */
  ackAllMs: number;
  /** Round start → each socket's receipt (ms): p50, p95, and max = the last socket. */
  latency: { p50: number; p95: number; max: number };
  expected: number;
  delivered: number;
  duplicates: number;
  /** CPU of the server process (ms) from just before the first request to the last receipt seen. */
  serverCpuMs: number;
  /** Commits in belfry's database from the round's start until they settled, less the idle background rate. */
  pgCommits: number;
  /** The same, before the background is subtracted. */
  pgCommitsRaw: number;
  /** CPU of belfry's Postgres backends (ms), in the server CPU's window. */
  pgCpuMs: number;
  loadAvg: number;
}

export interface ScenarioResult {
  scenario: string;
  target: TargetName;
  label: string;
  params: Record<string, string | number>;
  ok: boolean;
  failures: string[];
  notes: string[];
  connect?: ConnectStats;
  delivery?: {
    expected: number;
    delivered: number;
    duplicates: number;
    latency: Summary;
    curve: Array<[number, number]>;
    throughputPerSec: number;
  };
  fanout?: FanoutRound[];
  ingest?: Array<{
    mode: string; concurrency: number; batchSize: number; perSec: number; requests: number; failed: number; ackP95Ms: number;
    /** Measured part of this mode only (absent in results written before per-mode sampling). */
    acknowledged?: number; serverCpuCores?: number; postgres?: PgCost;
    /** Postgres backend CPU per acknowledged (committed) row, µs. */
    dbUsPerRow?: number;
  }>;
  steps?: DensityStep[];
  server?: ServerStats;
  maxHeld?: number;
  /** Ingest round trips (send → 201, so commit included) of the requests behind the deliveries. */
  ack?: Summary;
  /** 1-minute load average before and after: the machine is shared, and this says how busy it was. */
  loadAvg?: { before: number; after: number };
}
