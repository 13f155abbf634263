/**
 * An erasure while Redis is down: the sockets on the erasing process get ERASED at once (it does not wait for the
 * bus), and a socket on another process, which cannot hear it, is told to resync when the bus is back and then
 * finds nothing to show. Uses a private redis-server, so stopping it disturbs no other test.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { startThrowawayRedis } from '../helpers/services.ts';
import { connect } from '../helpers/ws-client.ts';
import { call } from '../helpers/http.ts';

let redis: Awaited<ReturnType<typeof startThrowawayRedis>>;
let erasing: Belfry;
let other: Belfry;

beforeAll(async () => {
  redis = await startThrowawayRedis();
  erasing = await startBelfry({ redisUrl: redis.url });
  other = await startBelfry({ redisUrl: redis.url, redisPrefix: erasing.redisPrefix, database: erasing.database, jwtSecret: erasing.jwtSecret });
});
afterAll(async () => {
  await other.stop();
  await erasing.stop();
  await redis.stop();
});

test('ERASED reaches the erasing process’s sockets with Redis down; other processes resync once it is back', async () => {
  const userId = 'erased-while-redis-down';
  const response = await erasing.ingest({ events: [1, 2, 3].map((i) => ({ user_id: userId, type: 't', message: `private ${i}` })) });
  expect(response.status).toBe(201);
  const token = await erasing.tokenFor(userId);
  const local = await connect(erasing.wsUrl, token);
  const remote = await connect(other.wsUrl, token);

  await redis.stop();
  const erased = await call(erasing.url, `/api/users/${userId}/notifications`, { token: erasing.adminKey, method: 'DELETE' });
  expect(erased.status).toBe(200);
  expect(await erased.json()).toEqual({ deleted: 3 });
  expect(await local.next((f) => f.type === 'ERASED', 3000)).toEqual({ type: 'ERASED', payload: {} });

  // The other process heard nothing; when the bus is back it tells its sockets to refetch, and the refetch is empty
  // (the panel then drops what it showed: tests/web/store.test.ts, "an erasure this tab never heard of").
  expect(remote.all('ERASED')).toEqual([]);
  redis = await startThrowawayRedis(redis.port);
  expect(await remote.next((f) => f.type === 'RESYNC', 10_000)).toEqual({ type: 'RESYNC', payload: { reason: 'bus_reconnected' } });
  const listed = await call(other.url, '/api/notifications?status=all', { token });
  expect(await listed.json()).toEqual([]);
  local.close();
  remote.close();
}, 30_000);
