/**
 * A socket that floods RESUME (and other valid frames) costs a bounded amount: its frames draw from the user's
 * request budget (USER_RATE_LIMIT, shared with REST), one catch-up runs at a time, a socket that closed starts no
 * further query and is sent nothing, and another user's REST calls stay fast. Catch-up queries are counted by a
 * wrapper around the process's Postgres client.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Sql } from '../../src/db/client.ts';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/services.ts';
import { connect, type TestSocket } from '../helpers/ws-client.ts';
import { call } from '../helpers/http.ts';

interface UserQueries {
  /** Statements run with this user id as a parameter. */
  total: number;
  /** Catch-ups started (each looks its anchor row up first). */
  catchUps: number;
  inFlight: number;
  maxInFlight: number;
  /** Statements that mention the unread count (the last step of a catch-up). */
  counts: number;
  finished: number;
}

/** Wraps the postgres.js client so every statement naming a watched user is counted; `hold` delays anchor lookups. */
function watchQueries(sql: Sql) {
  const users = new Map<string, UserQueries>();
  let hold: Promise<void> | undefined;
  const anchorRequested = new Set<() => void>();
  const proxy = new Proxy(sql, {
    apply(target, thisArg, args: unknown[]) {
      const strings = args[0];
      const stats = Array.isArray(strings) && 'raw' in strings ? args.slice(1).map((value) => users.get(value as string)).find(Boolean) : undefined;
      const text = Array.isArray(strings) ? (strings as string[]).join('$') : '';
      // Fragments (`and …` pieces nested in a statement) are not statements: awaiting one on its own would run it.
      if (!stats || !/^\s*(select|with|insert|update|delete)\b/i.test(text)) return Reflect.apply(target, thisArg, args);
      const anchor = /select created_at from notifications where id =/.test(text);
      stats.total++;
      if (anchor) stats.catchUps++;
      if (/count\(\*\)/.test(text)) stats.counts++;
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      const query = Reflect.apply(target, thisArg, args) as Promise<unknown>;
      const gate = anchor ? hold : undefined;
      if (anchor) for (const wake of anchorRequested) wake();
      const done = () => {
        stats.inFlight--;
        stats.finished++;
      };
      return (gate ? gate.then(() => query) : Promise.resolve(query)).finally(done);
    },
  });
  return {
    sql: proxy,
    watch(userId: string): UserQueries {
      const stats = { total: 0, catchUps: 0, inFlight: 0, maxInFlight: 0, counts: 0, finished: 0 };
      users.set(userId, stats);
      return stats;
    },
    /** Holds every anchor lookup until the returned function is called. */
    holdAnchors(): () => void {
      let release!: () => void;
      hold = new Promise((resolve) => (release = resolve));
      return () => {
        hold = undefined;
        release();
      };
    },
    anchorRequested: () => new Promise<void>((resolve) => anchorRequested.add(resolve)),
  };
}

let database: TestDatabase;
let watched: ReturnType<typeof watchQueries>;
let belfry: Belfry;

beforeAll(async () => {
  database = await createTestDatabase();
  watched = watchQueries(database.sql);
  belfry = await startBelfry({ database: { ...database, sql: watched.sql } });
});
afterAll(async () => {
  await belfry.stop();
  await database.drop();
});

async function until(condition: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await Bun.sleep(10);
  }
}

const ingest = async (userId: string, count: number) => {
  const response = await belfry.ingest({ events: Array.from({ length: count }, (_, i) => ({ user_id: userId, type: 't', message: `${userId} ${i}` })) });
  return ((await response.json()) as { ids: string[] }).ids;
};

async function restLatencies(token: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await call(belfry.url, '/api/notifications?limit=20', { token });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    times.push(performance.now() - started);
  }
  return times;
}
const p50 = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;

test('300 RESUMEs and 100 PINGs in 0.6 s: bounded catch-ups and frames, one at a time; another user stays fast', async () => {
  const flooder = 'resume-flooder';
  const [anchor] = await ingest(flooder, 150);
  await ingest('calm-user', 20);
  const calm = await belfry.tokenFor('calm-user');
  const before = p50(await restLatencies(calm, 15));

  const stats = watched.watch(flooder);
  const socket: TestSocket = await connect(belfry.wsUrl, await belfry.tokenFor(flooder));
  const resume = JSON.stringify({ type: 'RESUME', payload: { after: anchor } });
  const flood = (async () => {
    for (let i = 0; i < 400 && socket.ws.readyState === WebSocket.OPEN; i++) {
      socket.ws.send(i % 4 === 3 ? '{"type":"PING"}' : resume);
      // Pacing the flood over about 0.6 s, as in the review that found it.
      if (i % 20 === 19) await Bun.sleep(30);
    }
  })();
  const during = p50(await restLatencies(calm, 15));
  await flood;
  // Bounded, so the unfixed server (which never closes the socket) fails here instead of at the test timeout.
  const closed = await Promise.race([socket.closed, Bun.sleep(10_000).then(() => ({ code: 0, reason: 'still open after 10 s' }))]);
  await until(() => stats.inFlight === 0);

  const frames = socket.frames.length;
  const refused = socket.all('ERROR').filter((f) => f.payload.code === 'rate_limited').length;
  const busy = socket.all('ERROR').filter((f) => f.payload.code === 'resume_in_progress').length;
  console.log(
    `RESUME flood: ${stats.catchUps} catch-ups, ${stats.total} queries, at most ${stats.maxInFlight} in flight; ${frames} frames ` +
      `(${busy} resume_in_progress, ${refused} rate_limited), close ${closed.code}; another user's REST p50 ${before.toFixed(1)} → ${during.toFixed(1)} ms`,
  );
  // The user's budget is 5 × USER_RATE_LIMIT (20) at once: a flood gets about that many frames answered, then is closed.
  expect(closed.code).toBe(1008);
  expect(refused).toBe(9);
  expect(stats.maxInFlight).toBe(1);
  expect(stats.catchUps).toBeLessThanOrEqual(110);
  expect(frames).toBeLessThanOrEqual(stats.catchUps * 151 + 120);
  expect(during).toBeLessThan(250);
}, 30_000);

test('a socket that closes while its catch-up waits on Postgres starts no further query and is sent nothing', async () => {
  const userId = 'resume-then-leave';
  const [anchor] = await ingest(userId, 5);
  const stats = watched.watch(userId);
  const socket = await connect(belfry.wsUrl, await belfry.tokenFor(userId));
  const release = watched.holdAnchors();
  const requested = watched.anchorRequested();
  socket.ws.send(JSON.stringify({ type: 'RESUME', payload: { after: anchor } }));
  await requested;
  const framesBefore = socket.frames.length;
  socket.close();
  await socket.closed;
  await until(() => belfry.process.gateway.connections() === 0);
  release();
  // The anchor lookup and the row query (one call into src/db) finish; the unread count is never asked for.
  await until(() => stats.inFlight === 0 && stats.finished >= 2);
  expect(stats.counts).toBe(0);
  expect(stats.total).toBe(2);
  expect(socket.frames.length).toBe(framesBefore);
});
