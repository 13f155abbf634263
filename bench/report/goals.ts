/** The targets, checked against a run: each one met, missed, or not measured in this run. */

import type { ScenarioResult } from "../scenarios/types.ts";
import type { TargetName } from "../targets/types.ts";

export interface Goal {
  goal: string;
  measured: string;
  status: "met" | "missed" | "not run";
}

export interface Ratios {
  /** belfry ÷ peer; below 1 means belfry is lower (better). */
  burstP95?: number;
  burstP99?: number;
  sustainedP95?: number;
  sustainedP99?: number;
  memoryPerConnection?: number;
  maxConnectionsHeld?: number;
  /** belfry ÷ ceiling delivery throughput in the burst. */
  ceilingThroughput?: number;
}

const median = (xs: number[]): number | undefined => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : undefined;
};

/** Median of `pick` over every run of `scenario` against `target` (several with --repeat). */
export function pickMedian(results: ScenarioResult[], scenario: string, target: TargetName, pick: (r: ScenarioResult) => number | undefined): number | undefined {
  return median(results.filter((r) => r.scenario === scenario && r.target === target).map(pick).filter((v): v is number => v !== undefined));
}

const allOk = (results: ScenarioResult[], scenario: string, target: TargetName): boolean | undefined => {
  const rs = results.filter((r) => r.scenario === scenario && r.target === target);
  return rs.length ? rs.every((r) => r.ok) : undefined;
};

const memAt19k = (r: ScenarioResult): number | undefined => r.steps?.[r.steps.length - 1]?.rssPerConnectionKiB;
const ratio = (a?: number, b?: number): number | undefined => (a !== undefined && b !== undefined && b > 0 ? a / b : undefined);

/** belfry-to-peer and belfry-to-ceiling ratios. */
export function ratios(results: ScenarioResult[]): Ratios {
  const m = (scenario: string, t: TargetName, f: (r: ScenarioResult) => number | undefined) => pickMedian(results, scenario, t, f);
  return {
    burstP95: ratio(m("burst", "belfry", (r) => r.delivery?.latency.p95), m("burst", "peer", (r) => r.delivery?.latency.p95)),
    burstP99: ratio(m("burst", "belfry", (r) => r.delivery?.latency.p99), m("burst", "peer", (r) => r.delivery?.latency.p99)),
    sustainedP95: ratio(m("sustained", "belfry", (r) => r.delivery?.latency.p95), m("sustained", "peer", (r) => r.delivery?.latency.p95)),
    sustainedP99: ratio(m("sustained", "belfry", (r) => r.delivery?.latency.p99), m("sustained", "peer", (r) => r.delivery?.latency.p99)),
    memoryPerConnection: ratio(m("density", "belfry", memAt19k), m("density", "peer", memAt19k)),
    maxConnectionsHeld: ratio(m("density", "belfry", (r) => r.maxHeld), m("density", "peer", (r) => r.maxHeld)),
    ceilingThroughput: ratio(m("burst", "belfry", (r) => r.delivery?.throughputPerSec), m("burst", "ceiling", (r) => r.delivery?.throughputPerSec)),
  };
}

function goal(name: string, value: number | undefined, ok: (v: number) => boolean, show: (v: number) => string, extraOk = true): Goal {
  if (value === undefined) return { goal: name, measured: "–", status: "not run" };
  return { goal: name, measured: show(value), status: ok(value) && extraOk ? "met" : "missed" };
}

/** Every target of the issue, evaluated on belfry's results. */
export function goals(results: ScenarioResult[]): Goal[] {
  const b = (scenario: string, f: (r: ScenarioResult) => number | undefined) => pickMedian(results, scenario, "belfry", f);
  const r = ratios(results);
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const pct = (scenario: string) => b(scenario, (x) => (x.delivery ? (100 * x.delivery.delivered) / Math.max(1, x.delivery.expected) : undefined));
  const x = (v: number) => `${v.toFixed(2)}×`;
  return [
    goal("density: 19,000 connections held by one server process", b("density", (x) => x.maxHeld), (v) => v >= 19000, (v) => v.toLocaleString("en-US")),
    goal("density: 38,000+ connections in cluster mode", b("density-cluster", (x) => x.maxHeld), (v) => v >= 38000, (v) => v.toLocaleString("en-US")),
    goal("density: ≤ 3 KiB server memory per idle connection", b("density", memAt19k), (v) => v <= 3, (v) => `${v.toFixed(2)} KiB`),
    goal("capacity: ≥ 100,000 sockets held for the whole hold, WORKERS", b("capacity", (x) => (typeof x.params.openAfterHold === "number" ? x.params.openAfterHold : undefined)), (v) => v >= 100_000, (v) => v.toLocaleString("en-US")),
    goal("capacity: ≤ 2.5 KiB server memory per socket", b("capacity", (x) => (typeof x.params.rssPerSocketKiB === "number" ? x.params.rssPerSocketKiB : undefined)), (v) => v <= 2.5, (v) => `${v.toFixed(2)} KiB`),
    goal("capacity: burst to every socket, exactly once", pct("capacity"), (v) => v === 100 && allOk(results, "capacity", "belfry") === true, (v) => `${v.toFixed(2)}%`),
    goal("sustained: 100% delivered", pct("sustained"), (v) => v === 100 && allOk(results, "sustained", "belfry") === true, (v) => `${v.toFixed(2)}%`),
    goal("sustained: p95 ≤ 10 ms", b("sustained", (x) => x.delivery?.latency.p95), (v) => v <= 10, ms),
    goal("sustained: p99 ≤ 10 ms (round two; 25 ms in round one)", b("sustained", (x) => x.delivery?.latency.p99), (v) => v <= 10, ms),
    goal("burst: 19,000 users 100% delivered", pct("burst"), (v) => v === 100 && allOk(results, "burst", "belfry") === true, (v) => `${v.toFixed(2)}%`),
    goal("burst: p95 ≤ 400 ms including commit (round two; 500 ms in round one)", b("burst", (x) => x.delivery?.latency.p95), (v) => v <= 400, ms),
    goal("ingest: ≥ 60,000/s batched", b("ingest", (x) => x.ingest?.find((i) => i.mode === "batched")?.perSec), (v) => v >= 60000, (v) => `${Math.round(v).toLocaleString("en-US")}/s`),
    goal("ingest: ≥ 15,000/s single-event", b("ingest", (x) => x.ingest?.find((i) => i.mode === "single-event")?.perSec), (v) => v >= 15000, (v) => `${Math.round(v).toLocaleString("en-US")}/s (${b("ingest", (x) => x.ingest?.find((i) => i.mode === "single-event")?.concurrency)} in flight)`),
    goal("seed: 5,000 connections, p95 < 2 s, 100%", b("seed", (x) => x.delivery?.latency.p95), (v) => v < 2000 && allOk(results, "seed", "belfry") === true, ms),
    goal("vs peer: ≥ 3× lower burst p95", r.burstP95 === undefined ? undefined : 1 / r.burstP95, (v) => v >= 3, (v) => `${x(v)} lower`),
    goal("vs peer: ≥ 4.5× less memory per connection", r.memoryPerConnection === undefined ? undefined : 1 / r.memoryPerConnection, (v) => v >= 4.5, (v) => `${x(v)} less`),
    goal("≥ 75% of the ceiling's burst delivery throughput (round two; 70% in round one)", r.ceilingThroughput, (v) => v >= 0.75, (v) => `${(100 * v).toFixed(0)}%`),
  ];
}
