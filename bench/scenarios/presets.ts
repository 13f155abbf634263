/** The named presets, as the issue specifies them, scaled by --size-scale and --time-scale. */

import type { Options } from "../lib/options.ts";
import type { BurstParams } from "./burst.ts";
import type { CapacityParams } from "./capacity.ts";
import type { DensityParams } from "./density.ts";
import type { FanoutParams } from "./fanout.ts";
import type { IngestParams } from "./ingest.ts";
import type { SustainedParams } from "./sustained.ts";
import type { SoakParams } from "./soak.ts";

export interface Presets {
  density: DensityParams;
  densityCluster: DensityParams | null;
  sustained: SustainedParams;
  burst: BurstParams;
  ingest: IngestParams;
  seed: BurstParams;
  soak: SoakParams;
  fanout: FanoutParams;
  capacity: CapacityParams;
  pgBaselineSec: number;
}

const n = (count: number, scale: number): number => Math.max(10, Math.round(count * scale));
const s = (sec: number, scale: number): number => Math.max(2, Math.round(sec * scale));

/** Builds every preset from the options. */
export function presets(o: Options): Presets {
  const z = o.sizeScale;
  const t = o.timeScale;
  return {
    // 19,000 is the most one process can hold under the 20,000 open-file cap, with room for its own files.
    density: { scenario: "density", steps: [1000, 5000, 10000, 19000].map((c) => n(c, z)), processes: 1, holdSec: s(3, t) },
    densityCluster: o.clusterWorkers > 1
      ? { scenario: "density-cluster", steps: [19000, 38000, 47500].map((c) => n(c, z)), processes: o.clusterWorkers, holdSec: s(3, t) }
      : null,
    sustained: { users: n(10000, z), ratePerSec: Math.max(50, Math.round(2000 * Math.min(1, z * 2))), durationSec: o.durationSec ?? s(60, t), batchSize: 1, processes: 1 },
    burst: { scenario: "burst", users: n(19000, z), batchSize: 1000, rounds: 3, warmup: true, processes: 1 },
    ingest: { durationSec: s(10, t), batchedConcurrency: 4, batchSize: 1000, singleConcurrency: o.inflight ?? 64, users: 10000, modes: o.ingestModes },
    seed: { scenario: "seed", users: n(5000, z), batchSize: 1000, rounds: 1, warmup: false, processes: 1 },
    // The hardening check: 19,000 sockets on one process, 2,000 notifications/s, memory flat within 5%, zero errors.
    soak: { users: n(19000, z), ratePerSec: 2000, durationSec: o.soakSec, warmupSec: Math.min(60, Math.round(o.soakSec / 10)), sampleEverySec: 10 },
    // 1,000 recipients: the most one user_ids event may name, and the largest batch one request may carry.
    fanout: { users: Math.min(1000, n(1000, z)), rounds: o.fanoutRounds, inFlight: 64, warmup: true, settleMs: Math.round(11_000 * Math.min(1, t)) },
    // Four equal steps to the top; the hold is not scaled by --time-scale (--capacity-hold sets it).
    capacity: {
      steps: [1, 2, 3, 4].map((q) => n((o.capacity.sockets * q) / 4, z)),
      workers: o.capacity.workers,
      holdSec: o.capacity.holdSec,
      sampleEverySec: Math.max(5, Math.round(o.capacity.holdSec / 20)),
      // The panel's own interval (web/src/socket.ts).
      heartbeatMs: 25_000,
      batchSize: 1000,
    },
    pgBaselineSec: s(5, t),
  };
}
