/**
 * Capacity: the most sockets this one machine holds. belfry runs as WORKERS=N processes on one port (each under
 * the 20,000 open-file cap), the sockets open in steps, stay open for `holdSec` sending the panel's heartbeat (PING,
 * answered by PONG), and then every user gets one notification in a burst that must arrive exactly once.
 */

import { readdirSync } from "node:fs";
import { now, sleep } from "../lib/clock.ts";
import { cpuCores, processTree, sampleProcs, type ProcSample } from "../lib/proc.ts";
import { progressDone, ticking } from "../lib/progress.ts";
import { summarise } from "../lib/stats.ts";
import type { TargetName } from "../targets/types.ts";
import { burstRound } from "./burst.ts";
import { deliveryOf, userIds, withSession } from "./common.ts";
import { climb } from "./density.ts";
import type { ScenarioContext, ScenarioResult } from "./types.ts";

export interface CapacityParams {
  /** Cumulative socket counts, ascending; the last is the capacity claimed. */
  steps: number[];
  /** belfry's WORKERS: server processes sharing the port. */
  workers: number;
  /** How long every socket stays open after the last step, seconds. */
  holdSec: number;
  sampleEverySec: number;
  /** The panel's heartbeat during the hold: every socket sends PING this often (ms) and expects PONG; 0 for none. */
  heartbeatMs: number;
  batchSize: number;
}

const mib = (kib: number): string => (kib / 1024).toFixed(1);

/** Open file descriptors of each process in the server's tree: how the kernel spread the sockets. */
function descriptorsPerProcess(pids: number[]): number[] {
  return pids.flatMap(processTree).map((pid) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      return 0;
    }
  });
}

/** Runs the capacity scenario against belfry. */
export async function runCapacity(ctx: ScenarioContext, name: TargetName, p: CapacityParams): Promise<ScenarioResult> {
  const top = p.steps[p.steps.length - 1] ?? 0;
  return withSession({ ...ctx, clusterMode: "workers" }, name, p.workers, top, async (s) => {
    const result: ScenarioResult = {
      scenario: "capacity", target: name, label: s.target.label, ok: false, failures: [], notes: [], steps: [],
      params: { steps: p.steps.join(" → "), workers: p.workers, holdSec: p.holdSec, batchSize: p.batchSize },
    };
    await sleep(1000);
    const base = sampleProcs(s.target.pids);
    result.notes.push(`server RSS with no sockets: ${mib(base.rssKiB)} MiB over ${base.pids.length} process(es)`);
    const held = await climb(s, `capacity/${name}`, p.steps, 1, base, result);
    result.maxHeld = held;
    if (held < top) return result;

    // The hold: every socket sends the panel's PING every heartbeatMs and must get its PONG; no notification is sent.
    const beatsBefore = s.pool.progress();
    s.pool.heartbeat(p.heartbeatMs);
    const holdStart = sampleProcs(s.target.pids);
    const started = now();
    const samples: { sec: number; sample: ProcSample; open: number }[] = [];
    const sampler = setInterval(() => samples.push({ sec: (now() - started) / 1000, sample: sampleProcs(s.target.pids), open: s.pool.progress().open }), p.sampleEverySec * 1000);
    const stop = ticking(() => {
      const pr = s.pool.progress();
      const last = samples.at(-1);
      return `capacity/${name} hold: ${((now() - started) / 1000).toFixed(0)}/${p.holdSec} s  open ${pr.open.toLocaleString()}  closed ${pr.closedUnexpectedly}  PING/PONG ${pr.pings.toLocaleString()}/${pr.pongs.toLocaleString()}${last ? `  rss ${mib(last.sample.rssKiB)} MiB` : ""}`;
    });
    await sleep(p.holdSec * 1000);
    clearInterval(sampler);
    const holdEnd = sampleProcs(s.target.pids);
    s.pool.heartbeat(0);
    // The last PONGs are on their way; progress reports come every 500 ms.
    await sleep(2000);
    stop();
    const beats = s.pool.progress();
    const pings = beats.pings - beatsBefore.pings, pongs = beats.pongs - beatsBefore.pongs;
    result.params.heartbeatMs = p.heartbeatMs;
    result.params.pings = pings;
    result.params.pongs = pongs;
    if (p.heartbeatMs > 0) result.notes.push(`heartbeat: ${pings.toLocaleString("en-US")} PINGs sent (every socket every ${p.heartbeatMs / 1000} s), ${pongs.toLocaleString("en-US")} PONGs received`);
    if (pongs < pings) result.failures.push(`${pings - pongs} heartbeat PINGs were not answered`);
    const openAfterHold = s.pool.progress().open;
    progressDone(`capacity/${name}: ${openAfterHold.toLocaleString()} of ${top.toLocaleString()} sockets open after ${p.holdSec} s`);
    const fds = descriptorsPerProcess(s.target.pids);
    const holdCores = cpuCores(holdStart, holdEnd);
    result.params.openAfterHold = openAfterHold;
    result.params.rssPerSocketKiB = Number(((holdEnd.rssKiB - base.rssKiB) / Math.max(1, openAfterHold)).toFixed(2));
    result.params.holdCpuCores = Number(holdCores.toFixed(3));
    // CPU per socket-hour while idle (the heartbeat, pings and timers): the cost model's first input.
    result.params.cpuMsPerSocketHour = Number(((holdCores * 3_600_000) / Math.max(1, openAfterHold)).toFixed(3));
    result.notes.push(`open file descriptors per server process (primary first): ${fds.join(", ")}`);
    result.notes.push(`during the ${p.holdSec} s hold: server ${holdCores.toFixed(3)} cores, RSS ${mib(holdStart.rssKiB)} → ${mib(holdEnd.rssKiB)} MiB`);
    result.notes.push(`open sockets every ${p.sampleEverySec} s: ${samples.map((x) => `${x.sec.toFixed(0)}s:${x.open}`).join(" ")}`);
    // RSS moves with garbage collection: the range over the hold says how much a single reading can be off.
    const perSocket = samples.map((x) => (x.sample.rssKiB - base.rssKiB) / Math.max(1, x.open)).sort((a, b) => a - b);
    if (perSocket.length) {
      result.params.rssPerSocketKiBMedian = Number((perSocket[Math.floor((perSocket.length - 1) / 2)] as number).toFixed(2));
      result.notes.push(`server RSS per socket over the hold's samples: ${(perSocket[0] as number).toFixed(2)}–${(perSocket.at(-1) as number).toFixed(2)} KiB, median ${result.params.rssPerSocketKiBMedian}`);
    }
    if (openAfterHold < top) result.failures.push(`${top - openAfterHold} sockets closed during the ${p.holdSec} s hold`);

    const users = userIds(s, top);
    // A 503 means "nothing was stored": the sender retries it (up to 5 times), and its latency counts from the first try.
    const { stats, collected, throughputPerSec } = await burstRound(s, users, p.batchSize, `capacity/${name} burst`, 5);
    result.params.burstRetried = stats.retried;
    if (stats.retried > 0) result.notes.push(`burst: ${stats.retried} requests were answered 503 (nothing stored) and sent again`);
    const { delivery, failures } = deliveryOf([collected], top, stats, throughputPerSec);
    result.delivery = delivery;
    result.failures.push(...failures);
    result.ack = summarise(stats.ackMs);
    result.server = { before: holdStart, after: sampleProcs(s.target.pids), processes: s.target.processes, cpuCores: holdCores, rssPerConnectionKiB: result.params.rssPerSocketKiB };
    result.ok = result.failures.length === 0;
    return result;
  });
}
