/**
 * What belfry's per-delivery metrics cost in isolation: the work the gateway adds for each notification it writes
 * (parse the row's created_at, one counter increment, one histogram observation), on the real metrics module.
 * An A/B of the sustained scenario moves by more than this on a shared machine; this bounds it from below the noise.
 *   bun bench/micro/delivery-metrics.ts          (CALLS=2000000 ROUNDS=5 to change the size)
 */

import { now } from "../lib/clock.ts";
import { createMetrics } from "../../src/metrics.ts";

const CALLS = Number(process.env.CALLS ?? 2_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const metrics = createMetrics({ connections: () => 0, outboxDepth: async () => 0, dependencies: async () => ({ postgres: true, bus: true }) });
// Distinct created_at strings, as in a sustained run where a group commit holds 1–3 events: one parse per delivery.
const base = Date.now() - 5;
const stamps = Array.from({ length: 4096 }, (_, i) => new Date(base - i).toISOString());

/** ns per call of `fn` over CALLS calls, and CPU ns per call (user + system) of this process. */
function measure(fn: (i: number) => void): { wallNs: number; cpuNs: number } {
  const cpu0 = process.cpuUsage();
  const t0 = now();
  for (let i = 0; i < CALLS; i++) fn(i);
  const wall = now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallNs: (wall * 1e6) / CALLS, cpuNs: ((cpu.user + cpu.system) * 1e3) / CALLS };
}

let sink = 0;
const baseline = (i: number) => { sink += (stamps[i & 4095] as string).length; };
const withMetrics = (i: number) => { const s = stamps[i & 4095] as string; sink += s.length; metrics.delivered(Date.parse(s)); };

const rows: Array<{ baseline: number; metrics: number }> = [];
for (let r = 0; r < ROUNDS + 1; r++) {
  const b = measure(baseline), m = measure(withMetrics);
  if (r > 0) rows.push({ baseline: b.cpuNs, metrics: m.cpuNs }); // round 0 warms the JIT
}
const added = rows.map((x) => x.metrics - x.baseline).sort((a, b) => a - b);
const median = added[Math.floor((added.length - 1) / 2)] as number;
console.log(`per delivery, CPU added by the metrics: median ${median.toFixed(0)} ns over ${ROUNDS} rounds of ${CALLS.toLocaleString("en-US")} calls (each: ${added.map((x) => x.toFixed(0)).join(", ")} ns)`);
console.log(`= ${((median * 10_000) / 1e9).toFixed(4)} CPU s per 10,000 deliveries${sink < 0 ? "" : ""}`);
metrics.stop();
