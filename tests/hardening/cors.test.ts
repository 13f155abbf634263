/**
 * CORS_ORIGINS: a page on a listed origin may load the panel's script and call the user API (preflight included);
 * any other origin gets no CORS headers, so browsers keep it out.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';

const allowed = 'https://app.example';
let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry({ env: { CORS_ORIGINS: allowed } })));
afterAll(() => belfry.stop());

const preflight = (origin: string) =>
  fetch(`${belfry.url}/api/notifications/read`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });

test('a preflight from a listed origin is answered before authentication', async () => {
  const response = await preflight(allowed);
  expect(response.status).toBe(204);
  expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
  expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
});

test('a listed origin reads the list and sees the cursor header', async () => {
  const userId = 'cors-user';
  await belfry.ingest({ events: Array.from({ length: 3 }, (_, i) => ({ user_id: userId, type: 't', message: `c${i}` })) });
  const response = await fetch(`${belfry.url}/api/notifications?limit=1`, {
    headers: { origin: allowed, authorization: `Bearer ${await belfry.tokenFor(userId)}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
  expect(response.headers.get('access-control-expose-headers')).toContain('X-Next-Cursor');
});

test('another origin gets no CORS headers', async () => {
  const response = await preflight('https://evil.example');
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
});

test('the embed script is loadable cross-origin', async () => {
  const response = await fetch(`${belfry.url}/belfry-bell.js`, { headers: { origin: allowed } });
  expect(response.status).toBe(200);
  expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
  expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
});

test('ingest and personal-data routes are never opened to browsers', async () => {
  const response = await fetch(`${belfry.url}/api/events`, { method: 'OPTIONS', headers: { origin: allowed, 'access-control-request-method': 'POST' } });
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
});
