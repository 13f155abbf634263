/** Server resource readings from /proc: RSS and CPU time of a process and all its descendants. */

import { readFileSync, readdirSync } from "node:fs";

export interface ProcSample {
  pids: number[];
  rssKiB: number;
  cpuSeconds: number;
  at: number;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux x86-64

function statFields(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may contain spaces; fields start after the last ')'.
    return raw.slice(raw.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** The pid and every live descendant (cluster workers are children of the primary). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const fields = statFields(pid);
    if (!fields) continue;
    const ppid = Number(fields[1]);
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Resident memory of one process, KiB (0 once it is gone). */
export function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) of one process so far, seconds. */
export function cpuSeconds(pid: number): number {
  const f = statFields(pid);
  // utime and stime are fields 14 and 15 of stat; indexes 11 and 12 after the command name.
  return f ? (Number(f[11]) + Number(f[12])) / CLOCK_TICKS : 0;
}

/** RSS and CPU summed over the given root pids and their descendants. */
export function sampleProcs(roots: number[]): ProcSample {
  const pids = roots.flatMap((r) => processTree(r));
  return {
    pids,
    rssKiB: pids.reduce((s, p) => s + rssKiB(p), 0),
    cpuSeconds: pids.reduce((s, p) => s + cpuSeconds(p), 0),
    at: performance.now(),
  };
}

/** Average CPU use between two samples, in cores (1.0 = one core busy). */
export function cpuCores(before: ProcSample, after: ProcSample): number {
  const wall = (after.at - before.at) / 1000;
  return wall > 0 ? (after.cpuSeconds - before.cpuSeconds) / wall : 0;
}
