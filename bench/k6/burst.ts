/**
 * Scenario 3, burst: USERS sockets (19,000); then one logical batch, one notification per user, sent as
 * concurrent BATCH-event requests (19 × 1000). Targets: 100% delivered, p95 ≤ 500 ms including commit.
 * Scenario 5, seed, is the same with USERS=5000 and p95 < 2 s: see seed.ts.
 *   k6 run -e BASE_URL=http://belfry:3000 -e JWT_SECRET=… -e INGEST_API_KEY=… bench/k6/burst.ts
 */
import http from "k6/http";
import exec from "k6/execution";
import { holdSocket, ingestRequest, summary, userId } from "./lib.ts";

const USERS = Number(__ENV.USERS ?? 19000);
const BATCH = Number(__ENV.BATCH ?? 1000);
const RAMP = Number(__ENV.RAMP ?? 45);
const P95_MS = Number(__ENV.P95_MS ?? 500);

export const options = {
  scenarios: {
    sockets: { executor: "per-vu-iterations", exec: "sockets", vus: USERS, iterations: 1, maxDuration: `${RAMP + 60}s` },
    burst: { executor: "shared-iterations", exec: "burst", vus: 1, iterations: 1, startTime: `${RAMP}s` },
  },
  thresholds: { delivery_latency: [`p(95)<=${P95_MS}`], http_req_failed: ["rate==0"] },
};

/** One VU per socket, held long enough for the burst to land. */
export function sockets(): void {
  holdSocket(exec.scenario.iterationInTest, (RAMP + 20) * 1000);
}

/** All batches at once, as one logical batch. */
export function burst(): void {
  const requests = [];
  for (let i = 0; i < USERS; i += BATCH) {
    const users = Array.from({ length: Math.min(BATCH, USERS - i) }, (_, j) => userId(i + j));
    requests.push(ingestRequest(users));
  }
  http.batch(requests);
}

export const handleSummary = summary;
