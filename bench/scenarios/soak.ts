/**
 * Soak: 19,000 sockets on one belfry process and a steady 2,000 notifications/s for 10 minutes. Passes when every
 * acknowledged notification is delivered once, no request or socket fails, and the server's memory at the end is
 * within 5% of its memory after the warm-up.
 */

import { now, sleep } from "../lib/clock.ts";
import { emptyStats, paced } from "../lib/ingest.ts";
import { cpuCores, sampleProcs, type ProcSample } from "../lib/proc.ts";
import { progressDone, ticking } from "../lib/progress.ts";
import { summarise } from "../lib/stats.ts";
import type { TargetName } from "../targets/types.ts";
import { connectAllOrFail, deliveryOf, gather, seededPicker, userIds, waitReceived, withSession } from "./common.ts";
import type { ScenarioContext, ScenarioResult } from "./types.ts";

export interface SoakParams {
  users: number;
  ratePerSec: number;
  durationSec: number;
  /** Memory is compared from the end of the warm-up, once caches and pools have grown to their working size. */
  warmupSec: number;
  sampleEverySec: number;
}

const mib = (kib: number): string => (kib / 1024).toFixed(1);

/** Runs the soak against one target (belfry). */
export async function runSoak(ctx: ScenarioContext, name: TargetName, p: SoakParams): Promise<ScenarioResult> {
  return withSession(ctx, name, 1, p.users, async (s) => {
    const result: ScenarioResult = {
      scenario: "soak", target: name, label: s.target.label, ok: false, failures: [], notes: [],
      params: { users: p.users, ratePerSec: p.ratePerSec, durationSec: p.durationSec, warmupSec: p.warmupSec },
    };
    if (!(await connectAllOrFail(s, `soak/${name} connect`, p.users, result))) return result;
    const users = userIds(s, p.users);
    await sleep(1000);
    s.pool.reset();
    const ingest = emptyStats();
    const pickUser = seededPicker(users, 0x2545f491);

    const started = now();
    const samples: { sec: number; sample: ProcSample }[] = [];
    const sampler = setInterval(() => samples.push({ sec: (now() - started) / 1000, sample: sampleProcs(s.target.pids) }), p.sampleEverySec * 1000);
    const stop = ticking(() => {
      const pr = s.pool.progress();
      const last = samples.at(-1);
      return `soak/${name}: ${((now() - started) / 1000).toFixed(0)}/${p.durationSec} s  acked ${ingest.acknowledged.toLocaleString()}  delivered ${pr.received.toLocaleString()}  failed ${ingest.failed}  open ${pr.open}${last ? `  rss ${mib(last.sample.rssKiB)} MiB` : ""}`;
    });
    await paced(s.target, { ratePerSec: p.ratePerSec, durationMs: p.durationSec * 1000, batchSize: 1, pickUser, maxInFlight: 1000 }, ingest);
    clearInterval(sampler);
    const end = sampleProcs(s.target.pids);
    stop();
    progressDone();
    await waitReceived(s, `soak/${name}`, ingest.acknowledged);

    const afterWarmup = samples.find((x) => x.sec >= p.warmupSec)?.sample ?? samples[0]?.sample ?? end;
    result.server = { before: afterWarmup, after: end, processes: 1, cpuCores: cpuCores(afterWarmup, end) };
    const change = (end.rssKiB - afterWarmup.rssKiB) / afterWarmup.rssKiB;
    const series = samples.map((x) => `${x.sec.toFixed(0)}s:${mib(x.sample.rssKiB)}`).join(" ");
    result.notes.push(`server RSS after ${p.warmupSec} s warm-up ${mib(afterWarmup.rssKiB)} MiB, at the end ${mib(end.rssKiB)} MiB (${(change * 100).toFixed(1)}%)`);
    result.notes.push(`RSS every ${p.sampleEverySec} s (MiB): ${series}`);
    result.params.rssStartMiB = Number(mib(afterWarmup.rssKiB));
    result.params.rssEndMiB = Number(mib(end.rssKiB));
    result.params.rssChangePct = Number((change * 100).toFixed(2));

    const c = await gather(s);
    const { delivery, failures } = deliveryOf([c], ingest.acknowledged, ingest, c.lastAt > started ? (c.latencies.length / (c.lastAt - started)) * 1000 : 0);
    result.delivery = delivery;
    result.failures.push(...failures);
    if (ingest.failed > 0) result.failures.push(`${ingest.failed} ingest requests failed`);
    if (s.pool.progress().open < p.users) result.failures.push(`${p.users - s.pool.progress().open} sockets were lost during the soak`);
    if (Math.abs(change) > 0.05) result.failures.push(`server memory moved ${(change * 100).toFixed(1)}% (limit ±5%)`);
    result.ack = summarise(ingest.ackMs);
    result.ok = result.failures.length === 0;
    return result;
  });
}
