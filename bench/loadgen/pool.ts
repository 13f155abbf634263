/** The harness side of the load generators: spawns them, splits users among them, gathers their reports. */

import { resolve } from "node:path";
import type { Subprocess } from "bun";
import { now } from "../lib/clock.ts";
import type { RunningTarget } from "../targets/types.ts";
import type { Collected, Command, ConnectReport, Progress, Report } from "./messages.ts";

const WORKER = resolve(import.meta.dir, "worker.ts");

/** Sockets per generator: well under the 20,000 open-file cap, leaving room for Bun's own files. */
export const SOCKETS_PER_GENERATOR = 9_500;

interface Generator {
  proc: Subprocess;
  progress: Progress;
  /** Answers awaited per report kind, oldest first (the worker answers commands in order). */
  waiters: Map<string, Array<(r: Report) => void>>;
}

export interface ConnectResult {
  open: number;
  errors: number;
  errorSamples: string[];
  connectMs: number[];
  wallMs: number;
}

export interface Pool {
  /** Opens sockets for users [from, to) of the run, spread over generators. */
  connect(target: RunningTarget, from: number, to: number, opts?: { concurrency?: number; timeoutMs?: number }): Promise<ConnectResult>;
  progress(): Progress;
  /** Starts (or with 0 stops) the panel's PING heartbeat on every open socket of every generator. */
  heartbeat(everyMs: number): void;
  reset(): void;
  collect(): Promise<Collected>;
  /** Upper bound of clock disagreement between the harness and generators (ms), from IPC round trips. */
  clockCheck(): Promise<number>;
  close(): Promise<void>;
  userId(i: number): string;
}

/** Spawns `count` generators; users are named `${userPrefix}${i}`. */
export async function createPool(count: number, userPrefix: string): Promise<Pool> {
  const gens: Generator[] = [];
  for (let k = 0; k < count; k++) {
    const g: Generator = {
      proc: undefined as unknown as Subprocess,
      progress: { op: "progress", open: 0, connecting: 0, errors: 0, received: 0, closedUnexpectedly: 0, pings: 0, pongs: 0 },
      waiters: new Map(),
    };
    g.proc = Bun.spawn(["bun", WORKER], {
      stdio: ["ignore", "inherit", "inherit"],
      serialization: "json",
      ipc(message) {
        const r = message as Report;
        if (r.op === "progress") g.progress = r;
        g.waiters.get(r.op)?.shift()?.(r);
      },
    });
    gens.push(g);
  }
  const expect = (g: Generator, op: string): Promise<Report> =>
    new Promise((res) => {
      const list = g.waiters.get(op) ?? [];
      list.push(res);
      g.waiters.set(op, list);
    });
  // Workers say "ready" once loaded; registered in the same tick as the spawn, so it cannot be missed.
  const loaded = gens.map((g) => expect(g, "ready"));
  const ask = <T extends Report>(g: Generator, cmd: Command, answer: T["op"]): Promise<T> => {
    const p = expect(g, answer) as Promise<T>;
    g.proc.send(cmd);
    return p;
  };
  await Promise.all(loaded);

  // Which generator owns which users, so later connects add to the least-loaded generators.
  const held = new Array<number>(count).fill(0);

  return {
    userId: (i) => `${userPrefix}${i}`,
    async connect(target, from, to, opts = {}) {
      const total = to - from;
      const plan: Array<[number, number, number]> = [];
      let cursor = from;
      while (cursor < to) {
        const k = held.indexOf(Math.min(...held));
        const room = SOCKETS_PER_GENERATOR - (held[k] as number);
        if (room <= 0) throw new Error(`need more load generators: ${total} sockets requested, ${count} × ${SOCKETS_PER_GENERATOR} max`);
        const share = Math.min(room, Math.ceil(total / count), to - cursor);
        plan.push([k, cursor, cursor + share]);
        held[k] = (held[k] as number) + share;
        cursor += share;
      }
      const reports = await Promise.all(plan.map(([k, a, b]) => ask<ConnectReport>(gens[k] as Generator, {
        op: "connect", protocol: target.protocol, wsUrls: target.wsUrls, jwtSecret: target.jwtSecret,
        userPrefix, from: a, to: b, concurrency: opts.concurrency ?? 64, timeoutMs: opts.timeoutMs ?? 20_000,
      }, "connected")));
      return {
        open: reports.reduce((s, r) => s + r.open, 0),
        errors: reports.reduce((s, r) => s + r.errors, 0),
        errorSamples: reports.flatMap((r) => r.errorSamples).slice(0, 5),
        connectMs: reports.flatMap((r) => r.connectMs),
        wallMs: Math.max(...reports.map((r) => r.wallMs)),
      };
    },
    progress() {
      const p: Progress = { op: "progress", open: 0, connecting: 0, errors: 0, received: 0, closedUnexpectedly: 0, pings: 0, pongs: 0 };
      for (const g of gens) {
        p.open += g.progress.open; p.connecting += g.progress.connecting; p.errors += g.progress.errors;
        p.received += g.progress.received; p.closedUnexpectedly += g.progress.closedUnexpectedly;
        p.pings += g.progress.pings; p.pongs += g.progress.pongs;
      }
      return p;
    },
    heartbeat(everyMs) {
      for (const g of gens) g.proc.send({ op: "heartbeat", everyMs } satisfies Command);
    },
    reset() {
      for (const g of gens) { g.proc.send({ op: "reset" } satisfies Command); g.progress.received = 0; }
    },
    async collect() {
      const parts = await Promise.all(gens.map((g) => ask<Collected>(g, { op: "collect" }, "collected")));
      const firsts = parts.map((p) => p.firstAt).filter((t) => t > 0);
      return {
        op: "collected",
        latencies: parts.flatMap((p) => p.latencies),
        duplicates: parts.reduce((s, p) => s + p.duplicates, 0),
        unparsable: parts.reduce((s, p) => s + p.unparsable, 0),
        firstAt: firsts.length ? Math.min(...firsts) : 0,
        lastAt: Math.max(0, ...parts.map((p) => p.lastAt)),
        open: parts.reduce((s, p) => s + p.open, 0),
        closedUnexpectedly: parts.reduce((s, p) => s + p.closedUnexpectedly, 0),
      };
    },
    async clockCheck() {
      let worst = 0;
      for (const g of gens) {
        const before = now();
        const r = await ask<{ op: "clock"; childNow: number }>(g, { op: "clock", parentNow: before }, "clock");
        const after = now();
        // The child's reading must fall inside [before, after]; how far outside it falls is the skew.
        worst = Math.max(worst, before - r.childNow, r.childNow - after, 0);
      }
      return worst;
    },
    async close() {
      for (const g of gens) g.proc.send({ op: "close" } satisfies Command);
      await Promise.race([Promise.all(gens.map((g) => g.proc.exited)), Bun.sleep(3000)]);
      for (const g of gens) if (g.proc.exitCode === null) g.proc.kill("SIGKILL");
    },
  };
}

/** How many generators a socket count needs. */
export function generatorsFor(sockets: number): number {
  return Math.max(1, Math.ceil(sockets / SOCKETS_PER_GENERATOR));
}
