/**
 * Scenario 5, seed: 5,000 sockets, one notification each in 1000-event requests sent together; p95 < 2 s.
 *   k6 run -e BASE_URL=http://belfry:3000 -e JWT_SECRET=… -e INGEST_API_KEY=… bench/k6/seed.ts
 */
import http from "k6/http";
import exec from "k6/execution";
import { holdSocket, ingestRequest, summary, userId } from "./lib.ts";

const USERS = Number(__ENV.USERS ?? 5000);
const BATCH = 1000;
const RAMP = Number(__ENV.RAMP ?? 20);

export const options = {
  scenarios: {
    sockets: { executor: "per-vu-iterations", exec: "sockets", vus: USERS, iterations: 1, maxDuration: `${RAMP + 60}s` },
    seed: { executor: "shared-iterations", exec: "seed", vus: 1, iterations: 1, startTime: `${RAMP}s` },
  },
  thresholds: { delivery_latency: ["p(95)<2000"], http_req_failed: ["rate==0"] },
};

/** One VU per socket. */
export function sockets(): void {
  holdSocket(exec.scenario.iterationInTest, (RAMP + 20) * 1000);
}

/** Five 1000-event requests at once. */
export function seed(): void {
  const requests = [];
  for (let i = 0; i < USERS; i += BATCH) {
    requests.push(ingestRequest(Array.from({ length: Math.min(BATCH, USERS - i) }, (_, j) => userId(i + j))));
  }
  http.batch(requests);
}

export const handleSummary = summary;
