/**
 * `bun run bench`: starts belfry, the Socket.IO peer and the bare-Bun ceiling in turn against real Postgres
 * and Redis, drives each scenario, and writes a table to stdout plus JSON, markdown and SVG to bench/results.
 */

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gitHead, machineInfo } from "./lib/machine.ts";
import { parseOptions, USAGE, type Options, type ScenarioName } from "./lib/options.ts";
import { freshDatabase, postgresVersion, redisVersion } from "./lib/pg.ts";
import { progressDone } from "./lib/progress.ts";
import { snapshotHead } from "./lib/snapshot.ts";
import { goals, ratios } from "./report/goals.ts";
import { textSummary, writeRun, type RunRecord } from "./report/write.ts";
import { runBurst } from "./scenarios/burst.ts";
import { runCapacity } from "./scenarios/capacity.ts";
import { runFanout } from "./scenarios/fanout.ts";
import { runDensity } from "./scenarios/density.ts";
import { runIngest } from "./scenarios/ingest.ts";
import { postgresBaseline } from "./scenarios/pg-baseline.ts";
import { presets } from "./scenarios/presets.ts";
import { runSustained } from "./scenarios/sustained.ts";
import { runSoak } from "./scenarios/soak.ts";
import type { ScenarioContext, ScenarioResult } from "./scenarios/types.ts";
import type { TargetName } from "./targets/types.ts";

const ROOT = resolve(import.meta.dir, "..");

function options(): Options {
  try {
    return parseOptions(process.argv.slice(2), process.env);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}
const opts = options();
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}

const startedAt = new Date().toISOString();
// Another checkout given for an A/B run is what ran, not HEAD: the record must name it.
const otherCheckout = process.env.BENCH_BELFRY_MAIN;
// BENCH_BELFRY_MAIN (another checkout, for A/B runs) wins; else a snapshot of HEAD unless --live.
if (!process.env.BENCH_BELFRY_MAIN && !opts.live && !opts.external) process.env.BENCH_BELFRY_MAIN = (await snapshotHead(ROOT)).main;
const runTag = randomBytes(4).toString("hex");
const databaseUrl = await freshDatabase(opts.adminDatabaseUrl, "belfry_bench");
const ctx: ScenarioContext = { databaseUrl, redisUrl: opts.redisUrl, runTag, clusterMode: opts.clusterMode, timeScale: opts.timeScale, sizeScale: opts.sizeScale, profileDir: opts.profileDir, external: opts.external };
const p = presets(opts);
const machine = await machineInfo(await postgresVersion(databaseUrl), await redisVersion(opts.redisUrl));
console.log(`belfry bench ${runTag}: ${machine.cores} cores, ${machine.memoryGiB} GiB, Bun ${machine.versions.bun}, Node ${machine.versions.node}, Postgres ${machine.versions.postgres}, Redis ${machine.versions.redis}, commit ${machine.git.commit.slice(0, 12)}`);
console.log(`scenarios: ${opts.scenarios.join(", ")}; targets: ${opts.targets.join(", ")}; size ×${opts.sizeScale}, time ×${opts.timeScale}, repeat ${opts.repeat}`);

const results: ScenarioResult[] = [];
const loadAvg = (): number => Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
let pgBaseline: number | undefined;

/** Runs one scenario against every selected target, alternating them `repeat` times; a crash is a FAILED row. */
async function each(scenario: string, targets: TargetName[], params: unknown, fn: (t: TargetName) => Promise<ScenarioResult>): Promise<void> {
  console.log(`\n== ${scenario}: ${JSON.stringify(params)}`);
  for (let i = 0; i < opts.repeat; i++) {
    for (const t of targets) {
      try {
        const before = loadAvg();
        const r = await fn(t);
        r.loadAvg = { before, after: loadAvg() };
        results.push(r);
      } catch (err) {
        progressDone(`${scenario}/${t} crashed: ${(err as Error).message}`);
        results.push({ scenario, target: t, label: t, params: {}, ok: false, failures: [`harness error: ${(err as Error).message}`], notes: [] });
      }
    }
  }
}

const runners: Record<ScenarioName, () => Promise<void>> = {
  density: async () => {
    await each("density", opts.targets, p.density, (t) => runDensity(ctx, t, p.density));
    // Cluster mode is belfry's answer to the per-process cap; the peer and the ceiling are single-process here.
    if (p.densityCluster && opts.targets.includes("belfry")) await each("density-cluster", ["belfry"], p.densityCluster, (t) => runDensity(ctx, t, p.densityCluster!));
  },
  sustained: () => each("sustained", opts.targets, p.sustained, (t) => runSustained(ctx, t, p.sustained)),
  burst: () => each("burst", opts.targets, p.burst, (t) => runBurst(ctx, t, p.burst)),
  ingest: async () => {
    console.log(`\n== postgres baseline: 4 clients × 1000-row unnest inserts for ${p.pgBaselineSec} s`);
    pgBaseline = await postgresBaseline(databaseUrl, p.pgBaselineSec);
    console.log(`postgres alone: ${Math.round(pgBaseline).toLocaleString("en-US")} rows/s`);
    await each("ingest", opts.targets, p.ingest, (t) => runIngest(ctx, t, p.ingest));
  },
  seed: () => each("seed", opts.targets.filter((t) => t !== "ceiling"), p.seed, (t) => runBurst(ctx, t, p.seed)),
  // belfry only: the soak checks belfry's own stability, not a comparison.
  soak: () => each("soak", opts.targets.filter((t) => t === "belfry"), p.soak, (t) => runSoak(ctx, t, p.soak)),
  // belfry only: the peer and the ceiling have no user_ids.
  fanout: () => each("fanout", opts.targets.filter((t) => t === "belfry"), p.fanout, (t) => runFanout(ctx, t, p.fanout)),
  // belfry only: the peer's and the ceiling's figures are their single-process density.
  capacity: () => each("capacity", opts.targets.filter((t) => t === "belfry"), p.capacity, (t) => runCapacity(ctx, t, p.capacity)),
};

for (const s of opts.scenarios) await runners[s]();

machine.git.commitAtEnd = await gitHead();
const run: RunRecord = {
  startedAt,
  finishedAt: new Date().toISOString(),
  command: `bun run bench ${process.argv.slice(2).join(" ")}`.trim(),
  quick: opts.quick,
  complete: ["density", "sustained", "burst", "ingest", "seed"].every((name) => opts.scenarios.includes(name as typeof opts.scenarios[number])) && opts.targets.length === 3,
  machine,
  params: { runTag, belfry: opts.external ? `running server at ${opts.external.url}` : otherCheckout ? `BENCH_BELFRY_MAIN=${otherCheckout}` : opts.live ? "working tree" : `snapshot of ${machine.git.commit.slice(0, 12)}`, belfryMain: process.env.BENCH_BELFRY_MAIN ?? "src/main.ts", sizeScale: opts.sizeScale, timeScale: opts.timeScale, repeat: opts.repeat, clusterMode: opts.clusterMode, presets: p },
  postgresBaselineRowsPerSec: pgBaseline,
  results,
  ratios: ratios(results),
  goals: goals(results),
};
console.log(`\n${textSummary(run)}\n`);
for (const f of writeRun(run, resolve(ROOT, opts.outDir), resolve(ROOT, "bench/README.md"))) console.log(`wrote ${f}`);
const failed = results.filter((r) => !r.ok);
console.log(failed.length ? `FAILED: ${failed.map((r) => `${r.scenario}/${r.target}`).join(", ")}` : "all runs delivered 100%");
process.exit(failed.length ? 1 : 0);
