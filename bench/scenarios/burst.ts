/**
 * Burst (and seed): every connected user gets one notification from one logical batch, sent as
 * concurrent 1000-event requests; latency runs from each request's send to each socket's receipt.
 */

import { now, sleep } from "../lib/clock.ts";
import { burst, emptyStats, type IngestStats } from "../lib/ingest.ts";
import { progressDone } from "../lib/progress.ts";
import { summarise } from "../lib/stats.ts";
import type { Collected } from "../loadgen/messages.ts";
import type { TargetName } from "../targets/types.ts";
import { connectAllOrFail, deliveryOf, gather, measured, userIds, waitReceived, withSession, type Session } from "./common.ts";
import type { ScenarioContext, ScenarioResult } from "./types.ts";

export interface BurstParams {
  scenario: string;
  users: number;
  batchSize: number;
  /** Measured rounds; with `warmup`, one more round runs first and is reported separately. */
  rounds: number;
  warmup: boolean;
  processes: number;
}

/**
 * One round: one notification to each of `users`, in concurrent `batchSize`-event requests; waits until every
 * acknowledged one arrived (or deliveries stop), then gathers what the generators saw.
 */
export async function burstRound(s: Session, users: string[], batchSize: number, label: string, retries = 0): Promise<{ stats: IngestStats; collected: Collected; throughputPerSec: number }> {
  s.pool.reset();
  const sentAt = now();
  const stats = emptyStats();
  await burst(s.target, users, batchSize, stats, retries);
  await waitReceived(s, label, stats.acknowledged);
  progressDone();
  const collected = await gather(s);
  const throughputPerSec = collected.lastAt > sentAt ? (collected.latencies.length / (collected.lastAt - sentAt)) * 1000 : 0;
  return { stats, collected, throughputPerSec };
}

/** Runs the burst preset against one target. */
export async function runBurst(ctx: ScenarioContext, name: TargetName, p: BurstParams): Promise<ScenarioResult> {
  return withSession(ctx, name, p.processes, p.users, async (s) => {
    const result: ScenarioResult = {
      scenario: p.scenario, target: name, label: s.target.label, ok: false, failures: [], notes: [],
      params: { users: p.users, batchSize: p.batchSize, requestsPerRound: Math.ceil(p.users / p.batchSize), rounds: p.rounds, warmup: String(p.warmup), serverProcesses: p.processes },
    };
    if (!(await connectAllOrFail(s, `${p.scenario}/${name} connect`, p.users, result))) return result;
    const users = userIds(s, p.users);
    await sleep(1000);
    const ingest = emptyStats();
    const parts: Collected[] = [];
    const throughputs: number[] = [];
    const total = p.rounds + (p.warmup ? 1 : 0);
    const { server } = await measured(s.target, async () => {
      for (let r = 0; r < total; r++) {
        const label = `${p.scenario}/${name} ${p.warmup && r === 0 ? "warm-up" : `round ${r + (p.warmup ? 0 : 1)}/${p.rounds}`}`;
        const { stats: roundStats, collected: c, throughputPerSec } = await burstRound(s, users, p.batchSize, label);
        const roundDelivery = deliveryOf([c], roundStats.acknowledged, roundStats, 0);
        if (p.warmup && r === 0) {
          result.notes.push(`warm-up round: p95 ${roundDelivery.delivery.latency.p95.toFixed(1)} ms, max ${roundDelivery.delivery.latency.max.toFixed(1)} ms, delivered ${roundDelivery.delivery.delivered}/${p.users}`);
        } else {
          parts.push(c);
          ingest.requests += roundStats.requests; ingest.failed += roundStats.failed;
          ingest.acknowledged += roundStats.acknowledged; ingest.failures.push(...roundStats.failures);
          ingest.ackMs.push(...roundStats.ackMs);
          if (throughputPerSec > 0) throughputs.push(throughputPerSec);
        }
        await sleep(500);
      }
    }, ctx.databaseUrl);
    result.server = server;
    const expected = p.users * p.rounds;
    if (ingest.acknowledged < expected) result.failures.push(`only ${ingest.acknowledged} of ${expected} events acknowledged`);
    const { delivery, failures } = deliveryOf(parts, expected, ingest, throughputs.length ? Math.min(...throughputs) : 0);
    result.delivery = delivery;
    result.failures.push(...failures);
    result.ack = summarise(ingest.ackMs);
    result.ok = result.failures.length === 0;
    return result;
  });
}
