/**
 * A socket that stops reading while thousands of notifications are published to it: the server caps what it
 * buffers and closes it with 4008 (or drops it at the hard cap), its memory stays bounded, and once the client
 * reads again it learns it must resync and recovers every notification from the API.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { rawConnect } from '../helpers/raw-ws.ts';
import { call } from '../helpers/http.ts';

let belfry: Belfry;

/** Polls with a deadline, for state that has no event (raw frames, the gateway's socket count). */
async function until(condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await Bun.sleep(10);
  }
}
beforeAll(async () => void (belfry = await startBelfry()));
afterAll(() => belfry.stop());

test('slow reader: bounded buffer, explicit close, full recovery', async () => {
  const userId = 'sleepy';
  const token = await belfry.tokenFor(userId);
  const slow = await rawConnect(belfry.port, token);
  // Subscribed once READY is sent: only then do the notifications below pile up for this socket.
  await until(() => slow.frames.some((frame) => frame.text?.includes('"READY"')), 5000);
  slow.pause();

  const message = 'm'.repeat(3000);
  const ids: string[] = [];
  const rssBefore = process.memoryUsage().rss;
  // 4,000 notifications of ~3 KB: 12 MB the socket will not read, three times the hard cap.
  for (let batch = 0; batch < 4; batch++) {
    const response = await belfry.ingest({ events: Array.from({ length: 1000 }, () => ({ user_id: userId, type: 't', message })) });
    expect(response.status).toBe(201);
    ids.push(...((await response.json()) as { ids: string[] }).ids);
  }
  // The sweep runs every second and closes it (4008), or Bun drops it at the hard cap.
  await until(() => belfry.process.gateway.connections() === 0, 5000);
  // What stays, not what awaits collection: the request bodies above are garbage by now.
  Bun.gc(true);
  const rssGrowth = process.memoryUsage().rss - rssBefore;
  expect(rssGrowth).toBeLessThan(64 * 1024 * 1024);

  slow.resume();
  await slow.ended;
  const close = slow.frames.find((frame) => frame.opcode === 8);
  const delivered = slow.frames.filter((frame) => frame.text?.includes('"NOTIFICATION"')).length;
  // Either a clean 4008 after the backlog, or an abrupt drop at the hard cap (no close frame): never a silent hole,
  // because the connection ends and the client reconnects and resyncs.
  if (close) expect(close.closeCode).toBe(4008);
  expect(delivered).toBeLessThan(ids.length);

  // Recovery as the panel does it: refetch everything unread through the API.
  const recovered: string[] = [];
  let query = '?limit=100';
  for (let page = 0; page < 50; page++) {
    const response = await call(belfry.url, `/api/notifications${query}`, { token });
    recovered.push(...((await response.json()) as { id: string }[]).map((item) => item.id));
    const next = response.headers.get('x-next-cursor');
    if (!next) break;
    query = `?limit=100&cursor=${encodeURIComponent(next)}`;
  }
  expect(new Set(recovered)).toEqual(new Set(ids));
}, 30_000);
