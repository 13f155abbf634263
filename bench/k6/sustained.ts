/**
 * Scenario 2, sustained: USERS sockets (10,000) held while RATE single-event notifications per second (2,000)
 * go to random users for DURATION seconds (60). Targets: 100% delivered, p95 ≤ 10 ms, p99 ≤ 25 ms.
 *   k6 run -e BASE_URL=http://belfry:3000 -e JWT_SECRET=… -e INGEST_API_KEY=… bench/k6/sustained.ts
 */
import exec from "k6/execution";
import { holdSocket, ingest, summary, userId } from "./lib.ts";

const USERS = Number(__ENV.USERS ?? 10000);
const RATE = Number(__ENV.RATE ?? 2000);
const DURATION = Number(__ENV.DURATION ?? 60);
const RAMP = Number(__ENV.RAMP ?? 30); // seconds given to opening the sockets before ingest starts

export const options = {
  scenarios: {
    sockets: { executor: "per-vu-iterations", exec: "sockets", vus: USERS, iterations: 1, maxDuration: `${RAMP + DURATION + 30}s` },
    ingest: {
      executor: "constant-arrival-rate", exec: "send", rate: RATE, timeUnit: "1s", duration: `${DURATION}s`,
      preAllocatedVUs: 200, maxVUs: 1000, startTime: `${RAMP}s`,
    },
  },
  thresholds: { delivery_latency: ["p(95)<=10", "p(99)<=25"], http_req_failed: ["rate==0"] },
};

/** One VU per socket, held until ingest has finished and stragglers arrived. */
export function sockets(): void {
  holdSocket(exec.scenario.iterationInTest, (RAMP + DURATION + 10) * 1000);
}

/** One single-event request to a random user. */
export function send(): void {
  ingest([userId(Math.floor(Math.random() * USERS))]);
}

export const handleSummary = summary;
