/**
 * Density: idle connections held per server process, the memory each costs and how fast they open.
 * Steps grow one server incrementally; RSS per connection = (RSS at step − RSS with no sockets) / sockets.
 */

import { sleep } from "../lib/clock.ts";
import { sampleProcs, type ProcSample } from "../lib/proc.ts";
import type { TargetName } from "../targets/types.ts";
import { connectUsers, withSession, type Session } from "./common.ts";
import type { DensityStep, ScenarioContext, ScenarioResult } from "./types.ts";

export interface DensityParams {
  /** Cumulative socket counts, ascending. */
  steps: number[];
  processes: number;
  /** Seconds to hold each step before reading memory and counting survivors. */
  holdSec: number;
  scenario: string;
}

/**
 * Opens sockets up to each of `steps` in turn, holds each step `holdSec`, and records a DensityStep per step into
 * `result` (a failure once a step is not fully held). Returns the most sockets held at a fully held step.
 */
export async function climb(s: Session, label: string, steps: number[], holdSec: number, base: ProcSample, result: ScenarioResult): Promise<number> {
  let from = 0;
  let maxHeld = 0;
  for (const step of steps) {
    const { stats } = await connectUsers(s, `${label} → ${step.toLocaleString()}`, from, step);
    from = step;
    await sleep(holdSec * 1000);
    const now = sampleProcs(s.target.pids);
    const held = s.pool.progress().open;
    const row: DensityStep = {
      connections: step,
      processes: s.target.processes,
      held,
      rssKiB: now.rssKiB,
      rssPerConnectionKiB: held > 0 ? (now.rssKiB - base.rssKiB) / held : 0,
      connectRatePerSec: stats.ratePerSec,
      connectP95Ms: stats.ms.p95,
      errors: stats.errors,
    };
    result.steps?.push(row);
    if (stats.errors > 0) result.notes.push(`step ${step}: ${stats.errors} connect errors (${stats.errorSamples.join("; ")})`);
    if (held < step) {
      result.failures.push(`held ${held} of ${step} sockets`);
      break;
    }
    maxHeld = held;
  }
  return maxHeld;
}

/** Runs one density ladder against one target (one server process, or a cluster). */
export async function runDensity(ctx: ScenarioContext, name: TargetName, p: DensityParams): Promise<ScenarioResult> {
  const top = p.steps[p.steps.length - 1] ?? 0;
  return withSession(ctx, name, p.processes, top, async (s) => {
    const result: ScenarioResult = {
      scenario: p.scenario, target: name, label: s.target.label, ok: true, failures: [], notes: [], steps: [],
      params: { steps: p.steps.join(" → "), serverProcesses: p.processes, holdSec: p.holdSec, cluster: p.processes > 1 ? ctx.clusterMode : "no" },
    };
    await sleep(1000);
    const base = sampleProcs(s.target.pids);
    result.notes.push(`server RSS with no sockets: ${(base.rssKiB / 1024).toFixed(1)} MiB over ${base.pids.length} process(es)`);
    const maxHeld = await climb(s, `${p.scenario}/${name}`, p.steps, p.holdSec, base, result);
    result.maxHeld = maxHeld;
    const last = result.steps?.[result.steps.length - 1];
    if (last) result.server = { before: base, after: sampleProcs(s.target.pids), processes: s.target.processes, cpuCores: 0, rssPerConnectionKiB: last.rssPerConnectionKiB };
    result.ok = result.failures.length === 0;
    return result;
  });
}
