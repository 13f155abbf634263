/**
 * WORKERS=N: N belfry processes share one port; a notification reaches sockets whichever process holds them;
 * SIGTERM to the primary stops them all.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { signToken } from '../../src/auth/tokens.ts';
import { createSharedEnv, spawnBelfry, type BelfryProcess, type SharedEnv } from '../helpers/process.ts';
import { call } from '../helpers/http.ts';
import { connect } from '../helpers/ws-client.ts';

let shared: SharedEnv;
let cluster: BelfryProcess;

beforeAll(async () => {
  shared = await createSharedEnv({ WORKERS: '2' });
  cluster = await spawnBelfry(shared.env);
});
afterAll(() => shared.database.drop());

test('two workers on one port deliver to every socket, and stop together', async () => {
  const workers = (await Bun.$`pgrep -P ${cluster.child.pid}`.nothrow().text()).trim().split('\n').filter(Boolean);
  expect(workers).toHaveLength(2);

  const token = await signToken(shared.jwtSecret, 'clustered');
  const sockets = await Promise.all(Array.from({ length: 12 }, () => connect(cluster.wsUrl, token)));
  const response = await call(cluster.url, '/api/events', { token: shared.ingestKey, body: { user_id: 'clustered', type: 't', message: 'to all tabs' } });
  const { ids } = (await response.json()) as { ids: string[] };
  for (const socket of sockets) expect((await socket.next((f) => f.type === 'NOTIFICATION')).payload.id).toBe(ids[0]!);
  for (const socket of sockets) socket.close();

  expect(await cluster.stop()).toBe(0);
  for (const pid of workers) expect((await Bun.$`kill -0 ${pid}`.nothrow().quiet()).exitCode).not.toBe(0);
});
