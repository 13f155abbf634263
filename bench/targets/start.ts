/** Starts belfry, the Socket.IO peer or the bare-Bun ceiling with fresh secrets and ports. */

import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { freePort, loopbackAddresses } from "../lib/ports.ts";
import { spawnServer, type Spawned } from "./spawn.ts";
import type { RunningTarget, StartOptions, TargetName } from "./types.ts";

const ROOT = resolve(import.meta.dir, "../..");
let peerBuilt = false;

/** Compiles the Socket.IO peer to plain JS once per invocation: Node 20 cannot run TypeScript. */
async function buildPeer(): Promise<string> {
  const out = `${ROOT}/bench/peers/socketio/dist`;
  if (!peerBuilt) {
    const r = await Bun.build({
      entrypoints: [`${ROOT}/bench/peers/socketio/server.ts`],
      outdir: out,
      target: "node",
      packages: "external",
    });
    if (!r.success) throw new Error(`building the Socket.IO peer failed: ${r.logs.join("\n")}`);
    peerBuilt = true;
  }
  return `${out}/server.js`;
}

function urlsFor(ports: number[], addresses: number, offset: number): string[] {
  const addrs = loopbackAddresses(addresses, offset);
  return ports.flatMap((p) => addrs.map((a) => `ws://${a}:${p}`));
}

/** Starts `name` and returns how to reach, measure and stop it. */
export async function startTarget(name: TargetName, opts: StartOptions): Promise<RunningTarget> {
  if (name === "belfry" && opts.external) return externalTarget(opts.external, opts.addresses);
  const jwtSecret = randomBytes(32).toString("hex");
  const ingestKey = randomBytes(24).toString("hex");
  // Rotating destination addresses between runs keeps TIME_WAIT entries of one run out of the next.
  const offset = Math.floor(Math.random() * 200);
  const common = {
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl,
    REDIS_PREFIX: opts.redisPrefix,
    JWT_SECRET: jwtSecret,
    INGEST_API_KEY: ingestKey,
    // Production mode requires it; the bench never erases or exports.
    ADMIN_API_KEY: `${ingestKey}-admin`,
    LOG_LEVEL: "warn",
    // The ingest rate limit is a policy, not a capacity: raised so that it never caps what is measured.
    INGEST_RATE_LIMIT: "100000000",
    NODE_ENV: "production",
    // A snapshot holds src/ and sql/ only; without a built panel next to it belfry would try to build one and stop.
    // The bench never loads the panel, so the working tree's build serves every checkout alike.
    STATIC_DIR: `${ROOT}/web/dist`,
  };
  const procs: Spawned[] = [];
  // BENCH_BELFRY_MAIN points at another checkout's src/main.ts, for A/B runs of a server change.
  const main = process.env.BENCH_BELFRY_MAIN ?? `${ROOT}/src/main.ts`;
  const bunBelfry = ["bun", ...(opts.profileDir ? ["--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${opts.profileDir}`] : []), main];
  const ports: number[] = [];
  try {
    if (name === "belfry" && opts.clusterMode === "workers" && opts.processes > 1) {
      const port = await freePort();
      ports.push(port);
      procs.push(await spawnServer("belfry", bunBelfry, { ...common, PORT: String(port), WORKERS: String(opts.processes) }, `http://127.0.0.1:${port}/readyz`));
    } else {
      for (let i = 0; i < opts.processes; i++) {
        const port = await freePort();
        ports.push(port);
        const env = { ...common, PORT: String(port) };
        const cmd =
          name === "belfry" ? bunBelfry
          : name === "ceiling" ? ["bun", `${ROOT}/bench/peers/bare-bun/server.ts`]
          : ["node", await buildPeer()];
        procs.push(await spawnServer(name, cmd, env, `http://127.0.0.1:${port}/readyz`));
      }
    }
  } catch (err) {
    await Promise.all(procs.map((p) => p.stop()));
    throw err;
  }
  const labels: Record<TargetName, string> = {
    belfry: "belfry",
    peer: "Socket.IO 4.8 + redis-adapter (Node)",
    ceiling: "bare Bun topics (no PG, no Redis)",
  };
  return {
    name,
    label: labels[name],
    protocol: name === "peer" ? "socketio" : "belfry",
    wsUrls: urlsFor(ports, opts.addresses, offset),
    ingestUrl: `http://127.0.0.1:${ports[0]}/api/events`,
    ingestKey,
    jwtSecret,
    pids: procs.map((p) => p.pid),
    processes: opts.processes,
    crashes: () => procs.filter((p) => p.exitedEarly() !== null).map((p) => `${name} server exited with code ${p.exitedEarly()} during the run; log: ${p.logPath}`),
    stop: async () => { await Promise.all(procs.map((p) => p.stop())); },
  };
}

/** A belfry started elsewhere: nothing is spawned or stopped; RSS/CPU are read only if its pids are given. */
function externalTarget(ext: NonNullable<StartOptions["external"]>, addresses: number): RunningTarget {
  const u = new URL(ext.url);
  const port = Number(u.port || 80);
  // Spreading over 127.0.0.x only works for a loopback server bound to 0.0.0.0; otherwise use its host as given.
  const loopback = u.hostname === "127.0.0.1" || u.hostname === "localhost";
  return {
    name: "belfry",
    label: `belfry at ${u.host}`,
    protocol: "belfry",
    wsUrls: loopback ? urlsFor([port], addresses, 0) : [`ws://${u.host}`],
    ingestUrl: new URL("/api/events", u).toString(),
    ingestKey: ext.ingestKey,
    jwtSecret: ext.jwtSecret,
    pids: ext.pids,
    processes: Math.max(1, ext.pids.length),
    crashes: () => [],
    stop: async () => {},
  };
}
