/**
 * Abuse controls: ingest and REST rate limits answer 429 with Retry-After; security headers on the panel.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { call, errorOf } from '../helpers/http.ts';
import { connect } from '../helpers/ws-client.ts';

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry({ env: { INGEST_RATE_LIMIT: '5', USER_RATE_LIMIT: '2' } })));
afterAll(() => belfry.stop());

test('ingest past its rate: 429 rate_limited with Retry-After, and nothing stored for the refused', async () => {
  const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => belfry.ingest({ user_id: 'limited', type: 't', message: `x${i}` })));
  const statuses = responses.map((r) => r.status);
  const accepted = statuses.filter((s) => s === 201).length;
  expect(accepted).toBeGreaterThanOrEqual(10); // the burst (2 × rate)
  expect(accepted).toBeLessThan(30);
  const refused = responses.find((r) => r.status === 429)!;
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect((await errorOf(refused)).code).toBe('rate_limited');
  const [{ count }] = await belfry.sql<[{ count: number }]>`select count(*)::int as count from notifications where user_id = 'limited'`;
  expect(count).toBe(accepted);
});

test('REST per user: one user’s flood does not limit another user', async () => {
  const flooder = await belfry.tokenFor('flooder');
  const statuses = await Promise.all(Array.from({ length: 20 }, () => call(belfry.url, '/api/notifications/unread-count', { token: flooder }).then((r) => r.status)));
  expect(statuses).toContain(429);
  const calm = await call(belfry.url, '/api/notifications/unread-count', { token: await belfry.tokenFor('calm') });
  expect(calm.status).toBe(200);
});

test('socket frames and REST calls of a user draw from one budget', async () => {
  const token = await belfry.tokenFor('two-doors');
  const socket = await connect(belfry.wsUrl, token);
  // USER_RATE_LIMIT=2: a burst of 10, spent here on frames.
  for (let i = 0; i < 10; i++) socket.ws.send('{"type":"PING"}');
  for (let i = 0; i < 10; i++) await socket.next((f) => f.type === 'PONG');
  const rest = await call(belfry.url, '/api/notifications/unread-count', { token });
  expect(rest.status).toBe(429);
  socket.ws.send('{"type":"PING"}');
  expect((await socket.next((f) => f.type === 'ERROR')).payload.code).toBe('rate_limited');
  socket.close();
});

test('the panel is served with a CSP that allows no inline script, and no framing', async () => {
  const response = await fetch(`${belfry.url}/`);
  expect(response.status).toBe(200);
  const csp = response.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).toContain("frame-ancestors 'none'");
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
});

test('path traversal never leaves the panel folder', async () => {
  for (const path of ['/../package.json', '/%2e%2e/package.json', '/assets/../../src/main.ts', '/..%2fsrc%2fmain.ts']) {
    const response = await fetch(`${belfry.url}${path}`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('belfry');
  }
});
