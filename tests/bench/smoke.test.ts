/**
 * Keeps the benchmark harness from rotting: the same modules `bun run bench` uses, at a few hundred
 * sockets for a few seconds. Asserts exactly-once delivery only; timings on a shared CI machine mean nothing.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { freshDatabase } from "../../bench/lib/pg.ts";
import { runBurst } from "../../bench/scenarios/burst.ts";
import { runCapacity } from "../../bench/scenarios/capacity.ts";
import { runFanout } from "../../bench/scenarios/fanout.ts";
import { runSustained } from "../../bench/scenarios/sustained.ts";
import type { ScenarioContext, ScenarioResult } from "../../bench/scenarios/types.ts";

// Each test starts and stops real servers; generous per test, the whole file takes about 12 s.
const LIMIT_MS = 20_000;
let ctx: ScenarioContext;

beforeAll(async () => {
  const adminUrl = process.env.BELFRY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  ctx = {
    databaseUrl: await freshDatabase(adminUrl, "belfry_bench_smoke"),
    redisUrl: process.env.BELFRY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    runTag: `smoke${randomBytes(3).toString("hex")}`,
    clusterMode: "workers",
    timeScale: 0.05,
    sizeScale: 0.02,
  };
  // The database is left for the next run to recreate: dropping it here would race belfry's shutdown.
});

function expectDelivered(r: ScenarioResult): void {
  expect(r.failures).toEqual([]);
  expect(r.delivery?.expected).toBeGreaterThan(0);
  expect(r.delivery?.delivered).toBe(r.delivery?.expected);
  expect(r.delivery?.duplicates).toBe(0);
  expect(r.ok).toBe(true);
}

describe("bench harness smoke", () => {
  test("belfry: a 300-user burst in 100-event batches reaches every socket once", async () => {
    expectDelivered(await runBurst(ctx, "belfry", { scenario: "burst", users: 300, batchSize: 100, rounds: 1, warmup: false, processes: 1 }));
  }, LIMIT_MS);

  test("belfry: 2 s of single-event ingest at 100/s reaches every socket once", async () => {
    expectDelivered(await runSustained(ctx, "belfry", { users: 200, ratePerSec: 100, durationSec: 2, batchSize: 1, processes: 1 }));
  }, LIMIT_MS);

  test("belfry: one 100-user announcement sent three ways reaches every socket once each time", async () => {
    const r = await runFanout(ctx, "belfry", { users: 100, rounds: 1, inFlight: 16, warmup: false, settleMs: 0 });
    expect(r.failures).toEqual([]);
    expect(r.fanout?.map((f) => [f.mode, f.delivered, f.duplicates]).sort()).toEqual([["batch", 100, 0], ["singles", 100, 0], ["user_ids", 100, 0]]);
    expect(r.ok).toBe(true);
  }, LIMIT_MS);

  test("belfry: capacity with 2 workers holds 400 sockets through a hold, then bursts to each once", async () => {
    const r = await runCapacity(ctx, "belfry", { steps: [200, 400], workers: 2, holdSec: 2, sampleEverySec: 1, heartbeatMs: 500, batchSize: 100 });
    expectDelivered(r);
    expect(r.params.openAfterHold).toBe(400);
    expect(r.params.pings).toBeGreaterThanOrEqual(1200);
    expect(r.params.pongs).toBe(r.params.pings);
    expect(r.steps?.map((s) => s.held)).toEqual([200, 400]);
  }, LIMIT_MS);

  for (const t of ["peer", "ceiling"] as const) {
    test(`${t}: the same burst reaches every socket once`, async () => {
      expectDelivered(await runBurst(ctx, t, { scenario: "burst", users: 200, batchSize: 100, rounds: 1, warmup: false, processes: 1 }));
    }, LIMIT_MS);
  }
});
