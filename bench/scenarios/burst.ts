/**
 * Burst (and seed): every connected user gets one notification from one logical batch, sent as
 * concurrent 1000-event requests; latency runs from each request's send to each socket's receipt.
 */

import { now, sleep } from "../lib/clock.ts";
import { burst, emptyStats } from "../lib/ingest.ts";
import { progressDone } from "../lib/progress.ts";
import { summarise } from "../lib/stats.ts";
import type { Collected } from "../loadgen/messages.ts";
import type { TargetName } from "../targets/types.ts";
import { connectAllOrFail, deliveryOf, gather, measured, userIds, waitReceived, withSession } from "./common.ts";
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
        s.pool.reset();
        const label = `${p.scenario}/${name} ${p.warmup && r === 0 ? "warm-up" : `round ${r + (p.warmup ? 0 : 1)}/${p.rounds}`}`;
        const sentAt = now();
        const roundStats = emptyStats();
        await burst(s.target, users, p.batchSize, roundStats);
        await waitReceived(s, label, roundStats.acknowledged);
        progressDone();
        const c = await gather(s);
        const roundDelivery = deliveryOf([c], roundStats.acknowledged, roundStats, 0);
        if (p.warmup && r === 0) {
          result.notes.push(`warm-up round: p95 ${roundDelivery.delivery.latency.p95.toFixed(1)} ms, max ${roundDelivery.delivery.latency.max.toFixed(1)} ms, delivered ${roundDelivery.delivery.delivered}/${p.users}`);
        } else {
          parts.push(c);
          ingest.requests += roundStats.requests; ingest.failed += roundStats.failed;
          ingest.acknowledged += roundStats.acknowledged; ingest.failures.push(...roundStats.failures);
          ingest.ackMs.push(...roundStats.ackMs);
          if (c.lastAt > sentAt) throughputs.push((c.latencies.length / (c.lastAt - sentAt)) * 1000);
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
