/**
 * Ingest: notifications committed per second through POST /api/events, no sockets open.
 * Batched (1000-event requests, a few clients) and single-event (many concurrent clients, group commit).
 */

import { emptyStats, saturate } from "../lib/ingest.ts";
import { ticking, progressDone } from "../lib/progress.ts";
import { sampleProcs, cpuCores } from "../lib/proc.ts";
import { pgCost, pgSample } from "../lib/pg-stats.ts";
import { startTarget } from "../targets/start.ts";
import type { TargetName } from "../targets/types.ts";
import type { ScenarioContext, ScenarioResult } from "./types.ts";
import type { IngestMode } from "../lib/options.ts";

export interface IngestParams {
  durationSec: number;
  batchedConcurrency: number;
  batchSize: number;
  /** Single-event requests in flight at once (`--inflight`). */
  singleConcurrency: number;
  users: number;
  modes: readonly IngestMode[];
}

/** Runs both ingest modes against one target. */
export async function runIngest(ctx: ScenarioContext, name: TargetName, p: IngestParams): Promise<ScenarioResult> {
  const target = await startTarget(name, {
    processes: 1, addresses: 1, databaseUrl: ctx.databaseUrl, redisUrl: ctx.redisUrl,
    redisPrefix: `bench:${ctx.runTag}:${name}:`, clusterMode: ctx.clusterMode, profileDir: ctx.profileDir, external: ctx.external,
  });
  const result: ScenarioResult = {
    scenario: "ingest", target: name, label: target.label, ok: true, failures: [], notes: [], ingest: [],
    params: { durationSec: p.durationSec, batchSize: p.batchSize, batchedConcurrency: p.batchedConcurrency, singleConcurrency: p.singleConcurrency, users: p.users, modes: p.modes.join(",") },
  };
  if (name === "ceiling") result.notes.push("the ceiling commits nothing: its figures are HTTP + JSON + publish only");
  try {
    let i = 0;
    const pickUser = (): string => `u-${ctx.runTag}-${i++ % p.users}`;
    const pgBefore = name === "ceiling" ? undefined : await pgSample(ctx.databaseUrl);
    const before = sampleProcs(target.pids);
    const modes = ([["batched", p.batchedConcurrency, p.batchSize], ["single-event", p.singleConcurrency, 1]] as const).filter(([mode]) => p.modes.includes(mode));
    for (const [mode, concurrency, batchSize] of modes) {
      const stats = emptyStats();
      const stop = ticking(() => `ingest/${name} ${mode}: acknowledged ${stats.acknowledged.toLocaleString()}  failed ${stats.failed}`);
      // A short unmeasured warm-up so the JIT and the connection pools are hot.
      await saturate(target, concurrency, batchSize, 1000, pickUser, emptyStats());
      // Sampled per mode, after the warm-up: the pool's backends are all open, so their CPU is comparable, and the
      // database's cost per row of one mode is not mixed with the other's.
      const modePgBefore = pgBefore && (await pgSample(ctx.databaseUrl));
      const modeBefore = sampleProcs(target.pids);
      const ms = await saturate(target, concurrency, batchSize, p.durationSec * 1000, pickUser, stats);
      const modeAfter = sampleProcs(target.pids);
      const postgres = modePgBefore ? pgCost(modePgBefore, await pgSample(ctx.databaseUrl)) : undefined;
      stop();
      const perSec = (stats.acknowledged / ms) * 1000;
      const dbUsPerRow = postgres && stats.acknowledged > 0 ? (postgres.backendCpuSeconds / stats.acknowledged) * 1e6 : undefined;
      progressDone(`ingest/${name} ${mode}: ${Math.round(perSec).toLocaleString()}/s${dbUsPerRow === undefined ? "" : `, Postgres ${dbUsPerRow.toFixed(1)} µs CPU per row`}`);
      const acks = [...stats.ackMs].sort((a, b) => a - b);
      result.ingest?.push({
        mode, concurrency, batchSize, perSec, requests: stats.requests, failed: stats.failed, ackP95Ms: acks[Math.floor(acks.length * 0.95)] ?? 0,
        acknowledged: stats.acknowledged, serverCpuCores: cpuCores(modeBefore, modeAfter), postgres, dbUsPerRow,
      });
      if (stats.failed > 0) result.failures.push(`${mode}: ${stats.failed} requests failed: ${stats.failures.join("; ")}`);
    }
    const after = sampleProcs(target.pids);
    const pgAfter = pgBefore ? await pgSample(ctx.databaseUrl) : undefined;
    result.server = { before, after, processes: 1, cpuCores: cpuCores(before, after), postgres: pgBefore && pgAfter ? pgCost(pgBefore, pgAfter) : undefined };
    result.failures.unshift(...target.crashes());
  } finally {
    await target.stop();
  }
  result.ok = result.failures.length === 0;
  return result;
}
