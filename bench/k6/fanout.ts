/**
 * Fanout: USERS sockets (1,000); then ROUNDS rounds, each announcing one notification to every user three ways, a
 * PAUSE apart: one event with `user_ids` (user_ids), USERS single-event requests with IN_FLIGHT at once (singles),
 * one batch of USERS events (batch). Latency runs from the round's start to each socket, tagged by way; every
 * socket must get every announcement once.
 *   k6 run -e BASE_URL=http://belfry:3000 -e JWT_SECRET=… -e INGEST_API_KEY=… bench/k6/fanout.ts
 */
import http from "k6/http";
import exec from "k6/execution";
import { Counter, Trend } from "k6/metrics";
import { sleep } from "k6";
import { BASE_URL, INGEST_API_KEY, holdSocket, sent, summary, userId } from "./lib.ts";

const USERS = Math.min(1000, Number(__ENV.USERS ?? 1000));
const ROUNDS = Number(__ENV.ROUNDS ?? 5);
const IN_FLIGHT = Number(__ENV.IN_FLIGHT ?? 64);
const PAUSE = Number(__ENV.PAUSE ?? 3);
const RAMP = Number(__ENV.RAMP ?? 10);
const MODES = ["user_ids", "singles", "batch"] as const;
type Mode = (typeof MODES)[number];
const HOLD = RAMP + ROUNDS * MODES.length * PAUSE + 20;

/** Round start → socket, tagged `mode`. */
const fanoutLatency = new Trend("fanout_latency", true);
/** Deliveries of an announcement a socket had already had. */
const duplicates = new Counter("fanout_duplicates");

export const options = {
  // http.batch sends at most batchPerHost requests to one host at once: that is the singles' in-flight bound.
  batch: IN_FLIGHT,
  batchPerHost: IN_FLIGHT,
  scenarios: {
    sockets: { executor: "per-vu-iterations", exec: "sockets", vus: USERS, iterations: 1, maxDuration: `${HOLD + 10}s` },
    announce: { executor: "shared-iterations", exec: "announce", vus: 1, iterations: 1, startTime: `${RAMP}s`, maxDuration: `${HOLD}s` },
  },
  thresholds: {
    http_req_failed: ["rate==0"],
    fanout_duplicates: ["count==0"],
    ...Object.fromEntries(MODES.map((m) => [`fanout_latency{mode:${m}}`, ["p(95)<2000"]])),
  },
};

/** One VU per socket; an announcement is `k6 <round> <startedAt> <mode> …`, seen once per socket. */
export function sockets(): void {
  const seen: Record<string, true> = {};
  holdSocket(exec.scenario.iterationInTest, HOLD * 1000, (text) => {
    const [, round, at, mode] = text.split(" ");
    const key = `${round} ${mode}`;
    if (seen[key]) duplicates.add(1);
    seen[key] = true;
    if (mode && Number.isFinite(Number(at))) fanoutLatency.add(Date.now() - Number(at), { mode });
  });
}

const params = { headers: { "content-type": "application/json", authorization: `Bearer ${INGEST_API_KEY}` } };
const message = (round: number, at: number, mode: Mode) => `k6 ${round} ${at} ${mode} Ada replied to your comment`;

/** Sends one announcement to every user, one way. */
function announceOnce(round: number, mode: Mode): void {
  const at = Date.now();
  const users = Array.from({ length: USERS }, (_, i) => userId(i));
  const url = `${BASE_URL}/api/events`;
  if (mode === "user_ids") {
    http.post(url, JSON.stringify({ user_ids: users, type: "bench", message: message(round, at, mode) }), { ...params, tags: { mode } });
  } else if (mode === "batch") {
    const events = users.map((u) => ({ user_id: u, type: "bench", message: message(round, at, mode) }));
    http.post(url, JSON.stringify({ events }), { ...params, tags: { mode } });
  } else {
    http.batch(users.map((u) => ({ method: "POST", url, body: JSON.stringify({ user_id: u, type: "bench", message: message(round, at, mode) }), params: { ...params, tags: { mode } } })));
  }
  sent.add(USERS);
}

/** ROUNDS rounds, the three ways in a rotating order, PAUSE seconds apart. */
export function announce(): void {
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < MODES.length; k++) {
      announceOnce(r, MODES[(k + r) % MODES.length] as Mode);
      sleep(PAUSE);
    }
  }
}

export const handleSummary = summary;
