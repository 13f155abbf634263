/** Command-line flags (and BENCH_* environment equivalents) for `bun run bench`. */

import { parseArgs } from "node:util";
import type { TargetName } from "../targets/types.ts";

export const SCENARIOS = ["density", "sustained", "burst", "ingest", "seed", "soak", "fanout", "capacity"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
export const INGEST_MODES = ["batched", "single-event"] as const;
export type IngestMode = (typeof INGEST_MODES)[number];
/** What `bun run bench` runs without --scenarios: everything but the 10-minute soak and capacity, and the fanout comparison. */
export const DEFAULT_SCENARIOS: readonly ScenarioName[] = ["density", "sustained", "burst", "ingest", "seed"];
const TARGETS: readonly TargetName[] = ["belfry", "peer", "ceiling"];

export interface Options {
  scenarios: ScenarioName[];
  targets: TargetName[];
  /** Durations multiplier (1 = as specified). */
  timeScale: number;
  /** Connection-count multiplier (1 = as specified). */
  sizeScale: number;
  /** Sustained duration override, seconds. */
  durationSec?: number;
  /** Single-event requests in flight in the ingest scenario (default 64, the figure the target is set at). */
  inflight?: number;
  /** Which ingest modes run (default both). */
  ingestModes: IngestMode[];
  /** Soak length, seconds. */
  soakSec: number;
  /** Measured rounds of the fanout scenario. */
  fanoutRounds: number;
  /** Capacity: sockets at the top step, belfry's WORKERS, and how long every socket stays open (seconds). */
  capacity: { sockets: number; workers: number; holdSec: number };
  /** Runs each target this many times, alternating belfry → peer → ceiling → belfry … */
  repeat: number;
  clusterMode: "workers" | "procs";
  /** Workers for the cluster density step (0 skips it). */
  clusterWorkers: number;
  adminDatabaseUrl: string;
  redisUrl: string;
  outDir: string;
  quick: boolean;
  /** Directory for belfry CPU profiles (Bun --cpu-prof, markdown too); profiling slows belfry, so figures are marked. */
  profileDir?: string;
  /** Target a running belfry instead of starting one. */
  external?: { url: string; jwtSecret: string; ingestKey: string; pids: number[] };
  /** Run belfry from the working tree instead of a snapshot of HEAD. */
  live: boolean;
  help: boolean;
}

export const USAGE = `bun run bench [flags]

  --scenarios=a,b     ${SCENARIOS.join(",")} (default: all but soak, fanout and capacity)
  --soak-duration=S   soak length in seconds (default 600)
  --fanout-rounds=N   measured rounds of the fanout scenario (default 5)
  --capacity=N        capacity: sockets at the top step (default 100000)
  --capacity-workers=N  capacity: belfry WORKERS (default 6: about 17,000 sockets per process)
  --capacity-hold=S   capacity: seconds every socket stays open before the burst (default 600)
  --inflight=N        ingest: single-event requests in flight (default 64)
  --ingest-modes=a,b  ingest: ${INGEST_MODES.join(",")} (default: both)
  --targets=a,b       belfry,peer,ceiling (default: all)
  --quick             small and short: every count ×0.1, every duration ×0.1 (results marked quick)
  --size-scale=F      multiply connection counts by F
  --time-scale=F      multiply durations by F
  --duration=S        sustained scenario length in seconds (default 60)
  --repeat=N          run each target N times, alternating (default 1)
  --cluster=MODE      workers (belfry's WORKERS=N, one port) or procs (N processes, N ports); default workers
  --cluster-workers=N server processes for the cluster density step (default 3; 0 skips it)
  --database-url=URL  an admin URL for the Postgres that gets the belfry_bench database
  --redis-url=URL     Redis (default redis://127.0.0.1:6379)
  --out=DIR           results directory (default bench/results)
  --url=URL           target a running belfry (http://host:port) instead of starting one; needs BENCH_JWT_SECRET
                      and BENCH_INGEST_API_KEY; --pid=N[,N] to read its RSS/CPU from /proc
  --live              run belfry from the working tree (default: a snapshot of HEAD, so edits during a run don't leak in)
  --profile=DIR       run belfry under Bun's CPU profiler, profiles (.cpuprofile and .md) into DIR

Environment: BENCH_SCENARIOS, BENCH_TARGETS, BENCH_SIZE_SCALE, BENCH_TIME_SCALE, BENCH_DURATION,
BENCH_DATABASE_URL, BENCH_REDIS_URL.`;

function list<T extends string>(raw: string | undefined, allowed: readonly T[], name: string, defaults: readonly T[] = allowed): T[] {
  if (!raw) return [...defaults];
  const items = raw.split(",").map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((s) => !allowed.includes(s as T));
  if (bad.length) throw new Error(`unknown ${name}: ${bad.join(", ")} (allowed: ${allowed.join(", ")})`);
  return items as T[];
}

function positive(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return n;
}

function external(url: string | undefined, pids: string | undefined, env: Record<string, string | undefined>): Options["external"] {
  if (!url) return undefined;
  const jwtSecret = env.BENCH_JWT_SECRET, ingestKey = env.BENCH_INGEST_API_KEY;
  if (!jwtSecret || !ingestKey) throw new Error("--url needs BENCH_JWT_SECRET and BENCH_INGEST_API_KEY (the server's JWT_SECRET and INGEST_API_KEY)");
  return { url, jwtSecret, ingestKey, pids: (pids ?? "").split(",").filter(Boolean).map(Number) };
}

/** Parses argv and the environment; throws one error naming the bad flag. */
export function parseOptions(argv: string[], env: Record<string, string | undefined>): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenarios: { type: "string" }, targets: { type: "string" }, quick: { type: "boolean" },
      "size-scale": { type: "string" }, "time-scale": { type: "string" }, duration: { type: "string" }, "soak-duration": { type: "string" }, "fanout-rounds": { type: "string" },
      capacity: { type: "string" }, "capacity-workers": { type: "string" }, "capacity-hold": { type: "string" },
      inflight: { type: "string" }, "ingest-modes": { type: "string" },
      repeat: { type: "string" }, cluster: { type: "string" }, "cluster-workers": { type: "string" },
      "database-url": { type: "string" }, "redis-url": { type: "string" }, out: { type: "string" }, profile: { type: "string" }, live: { type: "boolean" }, url: { type: "string" }, pid: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const quick = values.quick === true;
  const cluster = values.cluster ?? "workers";
  if (cluster !== "workers" && cluster !== "procs") throw new Error(`--cluster must be workers or procs`);
  const duration = values.duration ?? env.BENCH_DURATION;
  return {
    scenarios: list(values.scenarios ?? env.BENCH_SCENARIOS, SCENARIOS, "scenario", DEFAULT_SCENARIOS),
    targets: list(values.targets ?? env.BENCH_TARGETS, TARGETS, "target"),
    timeScale: positive(values["time-scale"] ?? env.BENCH_TIME_SCALE, quick ? 0.1 : 1, "--time-scale"),
    sizeScale: positive(values["size-scale"] ?? env.BENCH_SIZE_SCALE, quick ? 0.1 : 1, "--size-scale"),
    durationSec: duration === undefined ? undefined : positive(duration, 60, "--duration"),
    inflight: values.inflight === undefined ? undefined : Math.max(1, Math.floor(positive(values.inflight, 200, "--inflight"))),
    ingestModes: list(values["ingest-modes"], INGEST_MODES, "ingest mode"),
    soakSec: Math.max(30, positive(values["soak-duration"] ?? env.BENCH_SOAK_DURATION, 600, "--soak-duration")),
    fanoutRounds: Math.max(1, Math.floor(positive(values["fanout-rounds"], 5, "--fanout-rounds"))),
    capacity: {
      sockets: Math.max(10, Math.floor(positive(values.capacity, 100_000, "--capacity"))),
      workers: Math.max(2, Math.floor(positive(values["capacity-workers"], 6, "--capacity-workers"))),
      holdSec: Math.max(10, positive(values["capacity-hold"], 600, "--capacity-hold")),
    },
    repeat: Math.max(1, Math.floor(positive(values.repeat, 1, "--repeat"))),
    clusterMode: cluster,
    clusterWorkers: Math.floor(positive(values["cluster-workers"], 3, "--cluster-workers")),
    adminDatabaseUrl: values["database-url"] ?? env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    redisUrl: values["redis-url"] ?? env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
    outDir: values.out ?? "bench/results",
    quick: quick || values.profile !== undefined || (values["size-scale"] ?? env.BENCH_SIZE_SCALE) !== undefined || (values["time-scale"] ?? env.BENCH_TIME_SCALE) !== undefined,
    profileDir: values.profile,
    live: values.live === true,
    external: external(values.url ?? env.BENCH_URL, values.pid ?? env.BENCH_PID, env),
    help: values.help === true,
  };
}
