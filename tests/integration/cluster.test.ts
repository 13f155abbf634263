/**
 * WORKERS=N: N belfry processes share one port; a notification reaches sockets whichever process holds them;
 * SIGTERM to the primary stops them all.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { signToken } from '../../src/auth/tokens.ts';
import { createTestDatabase, testServices, type TestDatabase } from '../helpers/services.ts';
import { spawnBelfry, type BelfryProcess } from '../helpers/process.ts';
import { call } from '../helpers/http.ts';
import { connect } from '../helpers/ws-client.ts';

const jwtSecret = `cluster-secret-${crypto.randomUUID()}`;
const ingestKey = `cluster-ingest-${crypto.randomUUID()}`;
let database: TestDatabase;
let cluster: BelfryProcess;

beforeAll(async () => {
  database = await createTestDatabase();
  cluster = await spawnBelfry({
    DATABASE_URL: database.url,
    REDIS_URL: testServices().redisUrl,
    REDIS_PREFIX: `belfry-cluster:${crypto.randomUUID()}:`,
    JWT_SECRET: jwtSecret,
    INGEST_API_KEY: ingestKey,
    WORKERS: '2',
  });
});
afterAll(() => database.drop());

test('two workers on one port deliver to every socket, and stop together', async () => {
  const workers = (await Bun.$`pgrep -P ${cluster.child.pid}`.nothrow().text()).trim().split('\n').filter(Boolean);
  expect(workers).toHaveLength(2);

  const token = await signToken(jwtSecret, 'clustered');
  const sockets = await Promise.all(Array.from({ length: 12 }, () => connect(cluster.wsUrl, token)));
  const response = await call(cluster.url, '/api/events', { token: ingestKey, body: { user_id: 'clustered', type: 't', message: 'to all tabs' } });
  const { ids } = (await response.json()) as { ids: string[] };
  for (const socket of sockets) expect((await socket.next((f) => f.type === 'NOTIFICATION')).payload.id).toBe(ids[0]!);
  for (const socket of sockets) socket.close();

  expect(await cluster.stop()).toBe(0);
  for (const pid of workers) expect((await Bun.$`kill -0 ${pid}`.nothrow().quiet()).exitCode).not.toBe(0);
});
