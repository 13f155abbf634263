/**
 * One key per job: the ingest key sends, the admin key erases and exports, METRICS_TOKEN (or loopback) reads
 * /metrics. Each key alone is refused by the others' routes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { call } from '../helpers/http.ts';
import { requireMetricsAccess } from '../../src/auth/middleware.ts';

const metricsToken = 'metrics-token-for-the-keys-test';
let open: Belfry;
let guarded: Belfry;

beforeAll(async () => {
  [open, guarded] = await Promise.all([startBelfry({ bus: 'local' }), startBelfry({ bus: 'local', env: { METRICS_TOKEN: metricsToken } })]);
});
afterAll(async () => {
  await Promise.all([open.stop(), guarded.stop()]);
});

describe('erase and export', () => {
  test('the ingest key alone gets 401, the admin key 200', async () => {
    for (const [path, method] of [['/api/users/someone/notifications', 'DELETE'], ['/api/users/someone/notifications/export', 'GET']] as const) {
      expect((await call(open.url, path, { token: open.ingestKey, method })).status).toBe(401);
      expect((await call(open.url, path, { token: open.adminKey, method })).status).toBe(200);
    }
  });

  test('the admin key cannot send', async () => {
    const response = await call(open.url, '/api/events', { token: open.adminKey, body: { user_id: 'u', type: 't', message: 'm' } });
    expect(response.status).toBe(401);
  });
});

describe('/metrics', () => {
  test('with METRICS_TOKEN: the token from anywhere, and nothing else, not even the ingest or admin key', async () => {
    expect((await call(guarded.url, '/metrics', { token: metricsToken })).status).toBe(200);
    for (const token of [undefined, guarded.ingestKey, guarded.adminKey, `${metricsToken}x`]) {
      const response = await call(guarded.url, '/metrics', { token });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
  });

  test('without METRICS_TOKEN: a loopback peer reads it with no key', async () => {
    const response = await call(open.url, '/metrics');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('belfry_ws_connections');
  });

  test('without METRICS_TOKEN: any other peer gets 403, whatever key it holds', async () => {
    // The peer address is what Bun reports for the socket; a remote peer cannot be made on loopback, so the
    // middleware is given a server whose requestIP answers as Bun would for one.
    const app = new Hono().get('/metrics', requireMetricsAccess(undefined), (c) => c.text('ok'));
    app.onError((error, c) => c.json({ status: (error as { status?: number }).status }, (error as { status?: 403 }).status ?? 500));
    const peer = (address: string) => ({ requestIP: () => ({ address, family: 'IPv4', port: 40000 }) });
    for (const address of ['10.0.0.7', '192.0.2.1', '2001:db8::1', '::ffff:10.0.0.7']) {
      expect((await app.request('/metrics', { headers: { authorization: `Bearer ${open.ingestKey}` } }, peer(address))).status).toBe(403);
    }
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect((await app.request('/metrics', {}, peer(address))).status).toBe(200);
    expect((await app.request('/metrics')).status).toBe(403);
  });
});
