/** The shape every scenario returns, and the context it runs in. */

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
  ingest?: Array<{ mode: string; concurrency: number; batchSize: number; perSec: number; requests: number; failed: number; ackP95Ms: number }>;
  steps?: DensityStep[];
  server?: ServerStats;
  maxHeld?: number;
}
