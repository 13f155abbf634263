/**
 * Integration: the outbox relay after an outage. A backlog as a 5-minute Redis outage at 200 single-event inserts/s
 * leaves it (60,000 entries of one notification each) must drain in seconds, not an hour; and a notification read
 * (or erased) before the relay reaches it is not pushed again.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { connect, quietFor } from '../helpers/ws-client.ts';
import { call } from '../helpers/http.ts';

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry({ env: { OUTBOX_RELAY_INTERVAL_MS: '500', OUTBOX_RELAY_MIN_AGE_MS: '1500' } })));
afterAll(() => belfry.stop());

/** Writes `count` notifications for `users`, one outbox entry each, as inserts whose publish failed would leave them. */
async function backlog(count: number, users: string[], ageSeconds: number) {
  await belfry.sql`
    with rows as (
      insert into notifications (user_id, type, message)
      select (${users}::text[])[1 + (i % ${users.length})], 'backlog', 'b' || i
      from generate_series(0, ${count - 1}) as i
      returning id
    )
    insert into notification_outbox (notification_ids, created_at)
    select array[id], now() - ${ageSeconds} * interval '1 second' from rows
  `;
}

test('notifications read or erased before the relay reaches them are not pushed again', async () => {
  const token = await belfry.tokenFor('reader');
  const socket = await connect(belfry.wsUrl, token);
  await backlog(180, ['reader'], 0);
  await backlog(20, ['erased-meanwhile'], 0);
  expect((await call(belfry.url, '/api/notifications/read-all', { method: 'POST', token })).status).toBeLessThan(300);
  await call(belfry.url, '/api/users/erased-meanwhile/notifications', { method: 'DELETE', token: belfry.adminKey });
  const frames = await quietFor(socket, 3500);
  const [{ left }] = await belfry.sql<[{ left: number }]>`select count(*)::int as left from notification_outbox`;
  expect(left).toBe(0);
  expect(frames.filter((frame) => frame.type === 'NOTIFICATION')).toHaveLength(0);
  socket.close();
}, 20_000);

test('a 60,000-entry backlog drains at thousands of notifications per second', async () => {
  const users = Array.from({ length: 100 }, (_, i) => `drain-${i}`);
  const socket = await connect(belfry.wsUrl, await belfry.tokenFor('drain-7'));
  const started = Date.now();
  await backlog(60_000, users, 60);
  const written = Date.now();
  let left = 1;
  while (left > 0 && Date.now() - written < 30_000) {
    await Bun.sleep(100);
    [{ left }] = await belfry.sql<[{ left: number }]>`select count(*)::int as left from notification_outbox`;
  }
  const seconds = (Date.now() - written) / 1000;
  console.log(`outbox drain: ${60_000 - left} of 60,000 notifications in ${seconds.toFixed(1)} s = ${Math.round((60_000 - left) / seconds)}/s (backlog written in ${written - started} ms)`);
  expect(left).toBe(0);
  const deadline = Date.now() + 5000;
  while (socket.all('NOTIFICATION').length < 600 && Date.now() < deadline) await Bun.sleep(50);
  expect(socket.all('NOTIFICATION')).toHaveLength(600);
  socket.close();
}, 45_000);
