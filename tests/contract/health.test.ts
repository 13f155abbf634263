import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { checkResponsesAgainstOpenApi, documentedFetch } from '../helpers/openapi-recorder.ts';
import { connect } from '../helpers/ws-client.ts';

checkResponsesAgainstOpenApi();

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry()));
afterAll(() => belfry.stop());

test('GET /healthz answers 200 ok', async () => {
  const response = await documentedFetch(`${belfry.url}/healthz`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
});

test('GET /readyz answers 200 while Postgres and the bus answer', async () => {
  const response = await documentedFetch(`${belfry.url}/readyz`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', bus: 'ok' } });
});

test('during a shutdown drain /readyz answers 503 draining while requests and sockets are still served; then 1012', async () => {
  const draining = await startBelfry();
  const socket = await connect(draining.wsUrl, await draining.tokenFor('drained'));
  const stopped = draining.process.stop({ drainMs: 800, timeoutMs: 4000, reconnectSpreadMs: 0 });
  const started = performance.now();

  const ready = await documentedFetch(`${draining.url}/readyz`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toEqual({ status: 'draining', checks: { postgres: 'ok', bus: 'ok' } });
  expect((await fetch(`${draining.url}/healthz`)).status).toBe(200);
  const response = await draining.ingest({ user_id: 'drained', type: 't', message: 'sent while draining' });
  expect(response.status).toBe(201);
  const { ids } = (await response.json()) as { ids: string[] };
  expect((await socket.next((frame) => frame.type === 'NOTIFICATION')).payload.id).toBe(ids[0]!);

  expect((await socket.next((frame) => frame.type === 'RECONNECT')).type).toBe('RECONNECT');
  expect((await socket.closed).code).toBe(1012);
  // The sockets are told to move only once the drain is over.
  expect(performance.now() - started).toBeGreaterThanOrEqual(750);
  await stopped;
  await draining.bus.close();
  await draining.database.drop();
});
