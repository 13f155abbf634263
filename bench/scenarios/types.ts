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
