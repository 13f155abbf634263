import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { checkResponsesAgainstOpenApi, documentedFetch } from '../helpers/openapi-recorder.ts';

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
