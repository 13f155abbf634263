/**
 * Fanout: what one announcement to 1,000 connected users costs, sent three ways: one event with `user_ids`,
 * 1,000 single-event requests (a bounded number in flight), and one batch of 1,000 events. Each round sends
 * each way once, in a rotating order; every socket must get its notification exactly once per round.
 * Latency runs from the round's start (stamped into every message) to each socket's receipt.
 */

import { readFileSync } from "node:fs";
import { now, sleep } from "../lib/clock.ts";
import { emptyStats, sendEvents, sendToMany, singles } from "../lib/ingest.ts";
import { pgSample, type PgSample } from "../lib/pg-stats.ts";
import { sampleProcs } from "../lib/proc.ts";
import { progressDone } from "../lib/progress.ts";
import { summarise } from "../lib/stats.ts";
import type { TargetName } from "../targets/types.ts";
import { connectAllOrFail, deliveryOf, gather, userIds, waitReceived, withSession, type Session } from "./common.ts";
import type { FanoutRound, ScenarioContext, ScenarioResult } from "./types.ts";

export interface FanoutParams {
  /** Recipients of each announcement, one socket each (1,000: the most one `user_ids` event takes). */
  users: number;
  /** Measured rounds; each sends the announcement every way once. */
  rounds: number;
  /** Single-event requests in flight at once. */
  inFlight: number;
  /** One unmeasured round first (JIT, prepared statements, pool connections). */
  warmup: boolean;
  /** Quiet time after each round before commits are read: Postgres backends report their counts up to 10 s late. */
  settleMs: number;
}

export const FANOUT_MODES: readonly FanoutRound["mode"][] = ["user_ids", "singles", "batch"];

const loadAvg = (): number => Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);

/** Runs the fanout rounds against one target (belfry: the others take no `user_ids`). */
export async function runFanout(ctx: ScenarioContext, name: TargetName, p: FanoutParams): Promise<ScenarioResult> {
  return withSession(ctx, name, 1, p.users, async (s) => {
    const result: ScenarioResult = {
      scenario: "fanout", target: name, label: s.target.label, ok: false, failures: [], notes: [], fanout: [],
      params: { users: p.users, rounds: p.rounds, inFlight: p.inFlight, warmup: String(p.warmup), settleMs: p.settleMs, modes: FANOUT_MODES.join(",") },
    };
    if (!(await connectAllOrFail(s, `fanout/${name} connect`, p.users, result))) return result;
    const users = userIds(s, p.users);
    await sleep(1000);
    const idle = await idleBackground(s, ctx.databaseUrl, p.settleMs);
    result.notes.push(idle.note);
    result.params.idleCommitsPerSec = Number(idle.commitsPerSec.toFixed(2));
    let settled = await settledSample(ctx.databaseUrl);
    const total = p.rounds + (p.warmup ? 1 : 0);
    for (let r = 0; r < total; r++) {
      const warm = p.warmup && r === 0;
      const round = warm ? 0 : r + (p.warmup ? 0 : 1);
      // Rotating the order spreads drift of a shared machine over the three ways alike.
      const order = FANOUT_MODES.map((_, i) => FANOUT_MODES[(i + r) % FANOUT_MODES.length] as FanoutRound["mode"]);
      for (const mode of order) {
        const label = `fanout/${name} ${warm ? "warm-up" : `round ${round}/${p.rounds}`} ${mode}`;
        const { row, failures, after } = await oneRound(s, ctx.databaseUrl, mode, round, users, p, settled, idle.commitsPerSec, label);
        settled = after;
        if (warm) {
          result.notes.push(`warm-up ${mode}: all delivered ${row.latency.max.toFixed(1)} ms, ${row.delivered}/${row.expected}${failures.length ? `; ${failures.join("; ")}` : ""}`);
        } else {
          result.fanout?.push(row);
          result.failures.push(...failures.map((f) => `round ${round} ${mode}: ${f}`));
        }
      }
    }
    result.ok = result.failures.length === 0;
    return result;
  });
}

interface Settled { sample: PgSample; at: number }

async function settledSample(databaseUrl: string): Promise<Settled> {
  return { sample: await pgSample(databaseUrl), at: now() };
}

/**
 * Commits per second with nothing sent (the outbox relay's polls, the harness's own readings), over a window built
 * like a round's: three readings inside, then the settle time.
 */
async function idleBackground(s: Session, databaseUrl: string, settleMs: number): Promise<{ note: string; commitsPerSec: number }> {
  // The connects' own queries (each socket loads its user's mutes) are reported late too: let them settle first.
  await sleep(settleMs);
  const start = await settledSample(databaseUrl);
  const proc0 = sampleProcs(s.target.pids);
  await pgSample(databaseUrl);
  await pgSample(databaseUrl);
  await sleep(settleMs + 1000);
  const proc1 = sampleProcs(s.target.pids);
  const end = await settledSample(databaseUrl);
  const sec = (end.at - start.at) / 1000;
  const commitsPerSec = (end.sample.commits - start.sample.commits) / sec;
  const cpuPerSec = ((proc1.cpuSeconds - proc0.cpuSeconds) * 1000) / Math.max(0.001, (proc1.at - proc0.at) / 1000);
  return {
    commitsPerSec,
    note: `idle background: ${commitsPerSec.toFixed(2)} Postgres commits/s (outbox relay polls and the harness's own readings; subtracted from each round's commits), server CPU ${cpuPerSec.toFixed(0)} ms/s`,
  };
}

/**
 * Sends the announcement one way, waits for every socket, and reads what it cost. CPU is read tightly around the
 * round; commits only after `settleMs`, because a Postgres backend reports its counts up to 10 s late.
 */
async function oneRound(
  s: Session, databaseUrl: string, mode: FanoutRound["mode"], round: number, users: string[], p: FanoutParams,
  before: Settled, idleCommitsPerSec: number, label: string,
): Promise<{ row: FanoutRound; failures: string[]; after: Settled }> {
  s.pool.reset();
  const stats = emptyStats();
  const load = loadAvg();
  const pg0 = await pgSample(databaseUrl);
  const proc0 = sampleProcs(s.target.pids);
  const start = now();
  if (mode === "user_ids") await sendToMany(s.target, users, stats, start);
  else if (mode === "batch") await sendEvents(s.target, users, stats, start);
  else await singles(s.target, users, p.inFlight, stats, start);
  const ackAllMs = now() - start;
  await waitReceived(s, label, users.length, 10_000);
  const proc1 = sampleProcs(s.target.pids);
  const pg1 = await pgSample(databaseUrl);
  progressDone();
  const c = await gather(s);
  await sleep(p.settleMs);
  const after = await settledSample(databaseUrl);
  const { delivery, failures } = deliveryOf([c], users.length, stats, 0);
  if (stats.acknowledged < users.length) failures.unshift(`only ${stats.acknowledged} of ${users.length} rows acknowledged`);
  const lat = summarise(c.latencies);
  const windowSec = (after.at - before.at) / 1000;
  return {
    failures,
    after,
    row: {
      mode, round, requests: stats.requests, ackAllMs,
      latency: { p50: lat.p50, p95: lat.p95, max: lat.max },
      expected: delivery.expected, delivered: delivery.delivered, duplicates: delivery.duplicates,
      serverCpuMs: (proc1.cpuSeconds - proc0.cpuSeconds) * 1000,
      pgCommits: after.sample.commits - before.sample.commits - idleCommitsPerSec * windowSec,
      pgCommitsRaw: after.sample.commits - before.sample.commits,
      pgCpuMs: Math.max(0, pg1.backendCpuSeconds - pg0.backendCpuSeconds) * 1000,
      loadAvg: load,
    },
  };
}
