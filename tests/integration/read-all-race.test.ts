/**
 * Integration: read-all while notifications keep arriving. Exactly the ids in the READ frame are read; every
 * other notification stays unread, and the unread count agrees.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { connect } from '../helpers/ws-client.ts';
import { call } from '../helpers/http.ts';

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry()));
afterAll(() => belfry.stop());

test('read-all never reads what arrived during the call, and says exactly what it read', async () => {
  const userId = 'racer';
  const token = await belfry.tokenFor(userId);
  const socket = await connect(belfry.wsUrl, token);
  const all: string[] = [];
  const ingestMany = async (rounds: number) => {
    for (let round = 0; round < rounds; round++) {
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => belfry.ingest({ user_id: userId, type: 't', message: `r${round}-${i}` })),
      );
      for (const response of responses) all.push(...((await response.json()) as { ids: string[] }).ids);
    }
  };

  await ingestMany(3);
  const [, readAll] = await Promise.all([
    ingestMany(10),
    (async () => {
      await Bun.sleep(5);
      return call(belfry.url, '/api/notifications/read-all', { token, method: 'POST' });
    })(),
  ]);
  expect(readAll.status).toBe(204);

  const readFrame = await socket.next((f) => f.type === 'READ');
  const readIds = new Set<string>(readFrame.payload.ids);
  const rows = await belfry.sql<{ id: string; read_at: Date | null }[]>`select id, read_at from notifications where user_id = ${userId}`;
  expect(rows).toHaveLength(all.length);
  for (const row of rows) expect(row.read_at !== null).toBe(readIds.has(row.id));
  const unread = rows.filter((row) => row.read_at === null).length;
  expect(await (await call(belfry.url, '/api/notifications/unread-count', { token })).json()).toEqual({ count: unread, unseen: unread });
  // The frame's count is the count right after the update; later arrivals only add to it.
  expect(readFrame.payload.unread_count).toBeLessThanOrEqual(unread);
  // Every notification was pushed once.
  const pushed = socket.all('NOTIFICATION').map((f) => f.payload.id);
  await socket.next((f) => f.type === 'NOTIFICATION' && f.payload.id === all.at(-1));
  expect(new Set(socket.all('NOTIFICATION').map((f) => f.payload.id)).size).toBe(socket.all('NOTIFICATION').length);
  expect(pushed.length).toBeGreaterThan(0);
  socket.close();
});
