/**
 * Sustained: a steady open-loop stream of single-event ingest requests spread uniformly over the
 * connected users; every acknowledged event must reach its user's socket exactly once.
 */

import { now, sleep } from "../lib/clock.ts";
import { emptyStats, paced } from "../lib/ingest.ts";
import { ticking, progressDone } from "../lib/progress.ts";
import { summarise } from "../lib/stats.ts";
import type { TargetName } from "../targets/types.ts";
import { connectAllOrFail, deliveryOf, gather, measured, seededPicker, userIds, waitReceived, withSession } from "./common.ts";
import type { ScenarioContext, ScenarioResult } from "./types.ts";

export interface SustainedParams {
  users: number;
  ratePerSec: number;
  durationSec: number;
  /** Events per ingest request; 1 = one request per notification, the hardest case. */
  batchSize: number;
  processes: number;
}

/** Runs the sustained preset against one target. */
export async function runSustained(ctx: ScenarioContext, name: TargetName, p: SustainedParams): Promise<ScenarioResult> {
  return withSession(ctx, name, p.processes, p.users, async (s) => {
    const result: ScenarioResult = {
      scenario: "sustained", target: name, label: s.target.label, ok: false, failures: [], notes: [],
      params: { users: p.users, ratePerSec: p.ratePerSec, durationSec: p.durationSec, batchSize: p.batchSize, serverProcesses: p.processes },
    };
    if (!(await connectAllOrFail(s, `sustained/${name} connect`, p.users, result))) return result;
    const users = userIds(s, p.users);
    await sleep(1000);
    s.pool.reset();
    const ingest = emptyStats();
    // A fixed seed keeps the user sequence identical for every target.
    const pickUser = seededPicker(users, 0x9e3779b9);
    const started = now();
    const { value: lagged, server } = await measured(s.target, async () => {
      const stop = ticking(() => {
        const pr = s.pool.progress();
        return `sustained/${name}: ${((now() - started) / 1000).toFixed(0)}/${p.durationSec} s  sent ${ingest.acknowledged.toLocaleString()}  delivered ${pr.received.toLocaleString()}  failed ${ingest.failed}  open ${pr.open}`;
      });
      const r = await paced(s.target, { ratePerSec: p.ratePerSec, durationMs: p.durationSec * 1000, batchSize: p.batchSize, pickUser, maxInFlight: 1000 }, ingest);
      stop();
      progressDone();
      await waitReceived(s, `sustained/${name}`, ingest.acknowledged);
      return r.lagged;
    }, ctx.databaseUrl);
    result.server = server;
    const c = await gather(s);
    const achieved = (ingest.acknowledged / p.durationSec);
    const { delivery, failures } = deliveryOf([c], ingest.acknowledged, ingest, c.lastAt > started ? (c.latencies.length / (c.lastAt - started)) * 1000 : 0);
    result.delivery = delivery;
    result.failures.push(...failures);
    if (achieved < p.ratePerSec * 0.95) result.failures.push(`ingest reached only ${achieved.toFixed(0)}/s of ${p.ratePerSec}/s (sender held back ${lagged} times)`);
    result.ack = summarise(ingest.ackMs);
    result.ok = result.failures.length === 0;
    return result;
  });
}
