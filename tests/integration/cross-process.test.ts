/**
 * Integration: two belfry processes on one Postgres and one Redis deliver to each other's sockets.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { signToken } from '../../src/auth/tokens.ts';
import { createSharedEnv, spawnBelfry, type BelfryProcess, type SharedEnv } from '../helpers/process.ts';
import { connect } from '../helpers/ws-client.ts';
import { call } from '../helpers/http.ts';

let shared: SharedEnv;
let one: BelfryProcess;
let two: BelfryProcess;

beforeAll(async () => {
  shared = await createSharedEnv();
  [one, two] = await Promise.all([spawnBelfry(shared.env), spawnBelfry(shared.env)]);
});

afterAll(async () => {
  expect(await Promise.all([one?.stop(), two?.stop()])).toEqual([0, 0]);
  await shared.database.drop();
});

const ingest = (target: BelfryProcess, body: unknown) => call(target.url, '/api/events', { token: shared.ingestKey, body });

test('ingested through either process, delivered to a socket on the other', async () => {
  const socketOnTwo = await connect(two.wsUrl, await signToken(shared.jwtSecret, 'alice'));
  const socketOnOne = await connect(one.wsUrl, await signToken(shared.jwtSecret, 'bob'));

  const toAlice = (await (await ingest(one, { user_id: 'alice', type: 't', message: 'via one' })).json()) as { ids: string[] };
  const frameOnTwo = await socketOnTwo.next((f) => f.type === 'NOTIFICATION');
  expect(frameOnTwo.payload).toMatchObject({ id: toAlice.ids[0], message: 'via one' });

  const toBob = (await (await ingest(two, { user_id: 'bob', type: 't', message: 'via two' })).json()) as { ids: string[] };
  const frameOnOne = await socketOnOne.next((f) => f.type === 'NOTIFICATION');
  expect(frameOnOne.payload).toMatchObject({ id: toBob.ids[0], message: 'via two' });

  socketOnOne.close();
  socketOnTwo.close();
});

test('a read on one process reaches the user’s tab on the other', async () => {
  const token = await signToken(shared.jwtSecret, 'carol');
  const { ids } = (await (await ingest(one, { user_id: 'carol', type: 't', message: 'x' })).json()) as { ids: string[] };
  const tab = await connect(two.wsUrl, token);
  expect((await call(one.url, '/api/notifications/read', { token, body: { id: ids[0] } })).status).toBe(204);
  expect(await tab.next((f) => f.type === 'READ')).toEqual({ type: 'READ', payload: { ids: [ids[0]], unread_count: 0 } });
  tab.close();
});
