/** What the socket scenarios share: a started target with its load generators, delivery checks, server readings. */

import { cpuCores, sampleProcs } from "../lib/proc.ts";
import { pgCost, pgSample } from "../lib/pg-stats.ts";
import { now, sleep } from "../lib/clock.ts";
import { percentileCurve, summarise } from "../lib/stats.ts";
import { progress, progressDone, ticking } from "../lib/progress.ts";
import type { Collected } from "../loadgen/messages.ts";
import type { IngestStats } from "../lib/ingest.ts";
import { createPool, generatorsFor, type ConnectResult, type Pool } from "../loadgen/pool.ts";
import { startTarget } from "../targets/start.ts";
import type { RunningTarget, TargetName } from "../targets/types.ts";
import type { ConnectStats, ScenarioContext, ScenarioResult } from "./types.ts";

export interface Session {
  target: RunningTarget;
  pool: Pool;
}

/** Starts `name` with `processes` server processes and enough generators for `sockets`; always cleans up. */
export async function withSession<T>(ctx: ScenarioContext, name: TargetName, processes: number, sockets: number, fn: (s: Session) => Promise<T>): Promise<T> {
  progress(`starting ${name} (${processes} process${processes > 1 ? "es" : ""})…`);
  const target = await startTarget(name, {
    processes,
    // One destination address per ~12k sockets: connect() tries the ~14k odd ports of the ephemeral range first, and
    // once a (source, destination) pair has used them all, every further connect scans them before taking an even
    // one (measured: the step from 75,000 to 100,000 sockets over 6 addresses, 16,700 each, ran at 660 connects/s
    // instead of 4,200).
    addresses: Math.max(2, Math.ceil(sockets / 12_000) + 1),
    databaseUrl: ctx.databaseUrl,
    redisUrl: ctx.redisUrl,
    redisPrefix: `bench:${ctx.runTag}:${name}:`,
    clusterMode: ctx.clusterMode,
    profileDir: ctx.profileDir,
    external: ctx.external,
  });
  let pool: Pool | undefined;
  try {
    pool = await createPool(generatorsFor(sockets), `u-${ctx.runTag}-`);
    const skew = await pool.clockCheck();
    if (skew > 5) throw new Error(`load generator clocks disagree by ${skew.toFixed(2)} ms`);
    const result = await fn({ target, pool });
    // A server that died mid-run explains every other failure; say so first.
    const crashes = target.crashes();
    if (crashes.length && typeof result === "object" && result !== null && "failures" in result) {
      const r = result as unknown as ScenarioResult;
      r.failures.unshift(...crashes);
      r.ok = false;
    }
    return result;
  } finally {
    // Stop the server first so TIME_WAIT lands on the server side, not on the clients' ephemeral ports.
    await target.stop();
    await pool?.close();
  }
}

/**
 * Connects users [0, n) into `result`; false (with the failure recorded) unless every one of them connected.
 * The scenarios that need all their sockets open start with it.
 */
export async function connectAllOrFail(s: Session, label: string, n: number, result: ScenarioResult): Promise<boolean> {
  const { stats } = await connectUsers(s, label, 0, n);
  result.connect = stats;
  if (stats.open >= n) return true;
  result.failures.push(`only ${stats.open} of ${n} sockets connected: ${stats.errorSamples.join("; ")}`);
  return false;
}

/** A fixed-seed user picker, so every target gets the same sequence of users. */
export function seededPicker(users: readonly string[], seed: number): () => string {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return users[state % users.length] as string;
  };
}

/** Connects users [from, to) with a live progress line; returns the connect statistics. */
export async function connectUsers(s: Session, label: string, from: number, to: number): Promise<{ raw: ConnectResult; stats: ConnectStats }> {
  const stop = ticking(() => {
    const p = s.pool.progress();
    return `${label}: open ${p.open.toLocaleString()} / ${to.toLocaleString()}  connecting ${p.connecting}  errors ${p.errors}`;
  });
  const raw = await s.pool.connect(s.target, from, to);
  stop();
  progressDone(`${label}: ${raw.open.toLocaleString()} connected in ${(raw.wallMs / 1000).toFixed(1)} s, ${raw.errors} errors`);
  return {
    raw,
    stats: {
      requested: to - from,
      open: raw.open,
      errors: raw.errors,
      errorSamples: raw.errorSamples,
      ratePerSec: raw.wallMs > 0 ? (raw.open / raw.wallMs) * 1000 : 0,
      ms: summarise(raw.connectMs),
    },
  };
}

/** Waits until the generators hold `expected` messages, or until nothing new arrived for `quietMs`. */
export async function waitReceived(s: Session, label: string, expected: number, quietMs = 15_000): Promise<number> {
  let lastCount = -1;
  let lastChange = now();
  while (true) {
    const p = s.pool.progress();
    progress(`${label}: delivered ${p.received.toLocaleString()} / ${expected.toLocaleString()}`);
    if (p.received >= expected) return p.received;
    if (p.received !== lastCount) { lastCount = p.received; lastChange = now(); }
    if (now() - lastChange > quietMs) return p.received;
    await sleep(20);
  }
}

/** Gathers what the generators recorded since the last reset, after a pause for late duplicates. */
export async function gather(s: Session): Promise<Collected> {
  await sleep(300);
  return await s.pool.collect();
}

/** Turns recorded latencies into the delivery section of a result, with every reason it is not 100%. */
export function deliveryOf(parts: Collected[], expected: number, ingest: IngestStats, throughputPerSec: number): { delivery: NonNullable<ScenarioResult["delivery"]>; failures: string[] } {
  const latencies = parts.flatMap((c) => c.latencies);
  const duplicates = parts.reduce((n, c) => n + c.duplicates, 0);
  const unparsable = parts.reduce((n, c) => n + c.unparsable, 0);
  const closed = Math.max(0, ...parts.map((c) => c.closedUnexpectedly));
  const delivered = latencies.length - duplicates;
  const failures: string[] = [];
  if (ingest.failed > 0) failures.push(`${ingest.failed} ingest requests failed: ${ingest.failures.join("; ")}`);
  if (delivered < expected) {
    failures.push(`delivered ${delivered} of ${expected} expected (${((100 * delivered) / Math.max(1, expected)).toFixed(2)}%); sockets closed by the server: ${closed}`);
  }
  if (delivered > expected) failures.push(`${delivered - expected} more deliveries than acknowledged events: notifications reached users they were not for`);
  if (duplicates > 0) failures.push(`${duplicates} duplicate deliveries`);
  if (unparsable > 0) failures.push(`${unparsable} messages not recognised`);
  return {
    failures,
    delivery: { expected, delivered, duplicates, latency: summarise(latencies), curve: percentileCurve(latencies), throughputPerSec },
  };
}

/** Server readings around `fn`: RSS and CPU of every server process and its children, and the database's work. */
export async function measured<T>(target: RunningTarget, fn: () => Promise<T>, databaseUrl?: string): Promise<{ value: T; server: NonNullable<ScenarioResult["server"]> }> {
  const pgBefore = databaseUrl && target.name !== "ceiling" ? await pgSample(databaseUrl) : undefined;
  const before = sampleProcs(target.pids);
  const value = await fn();
  const after = sampleProcs(target.pids);
  const pgAfter = pgBefore && databaseUrl ? await pgSample(databaseUrl) : undefined;
  return {
    value,
    server: { before, after, processes: target.processes, cpuCores: cpuCores(before, after), postgres: pgBefore && pgAfter ? pgCost(pgBefore, pgAfter) : undefined },
  };
}

/** The user ids [0, n) of this run, as the generators named them. */
export function userIds(s: Session, n: number): string[] {
  return Array.from({ length: n }, (_, i) => s.pool.userId(i));
}
