/**
 * The OpenAPI 3.1 document served at /openapi.json: every route of the app, each status it answers with, and the
 * schemas (from src/openapi/schemas.ts) of every body. WebSocket frames are described in docs/api.md.
 */
import type { ErrorCode } from '../errors.ts';
import { maxBatch } from '../ingest/event-schema.ts';
import { componentSchemas, listQueryParameters, type JsonSchema } from './schemas.ts';

type Operation = Record<string, unknown> & { responses: Record<string, unknown> };
export type PathItem = Partial<Record<'get' | 'post' | 'put' | 'delete', Operation>> & { 'x-other-methods'?: unknown };

export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, JsonSchema>; responses: Record<string, unknown> } & Record<string, unknown>;
  [key: string]: unknown;
}

const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (body: unknown) => ({ 'application/json': { schema: body } });
const response = (name: string) => ({ $ref: `#/components/responses/${name}` });

/** An error response whose code is one of `codes`: the shape is the shared one, the code is pinned per status. */
function errorResponse(description: string, codes: ErrorCode[], headers?: Record<string, unknown>) {
  const pinned = { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: codes } } } } };
  return { description, ...(headers ? { headers } : {}), content: json({ allOf: [schema('Error'), pinned] }) };
}

const retryAfter = { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'integer', minimum: 1 } };

const responses = {
  BadRequest: errorResponse(
    'The body is not JSON (`invalid_json`) or the body, query or path breaks the schema (`validation_failed`, with `details`).',
    ['invalid_json', 'validation_failed'],
  ),
  Unauthorized: errorResponse('Missing or invalid bearer token (user JWT, ingest key, admin key or metrics token).', ['unauthorized']),
  Forbidden: errorResponse('Not allowed from this peer: /metrics without METRICS_TOKEN answers loopback only.', ['forbidden']),
  NotFound: errorResponse('No such resource for this caller.', ['not_found']),
  MethodNotAllowed: errorResponse('The path exists but does not take this method.', ['method_not_allowed']),
  PayloadTooLarge: errorResponse('The body is over the route limit (16 KiB; 4 MiB for /api/events).', ['payload_too_large']),
  UnsupportedMediaType: errorResponse('A body was sent with a content type other than application/json.', ['unsupported_media_type']),
  RateLimited: errorResponse('Over the rate limit (per process).', ['rate_limited'], { 'Retry-After': retryAfter }),
  Unavailable: errorResponse('Postgres does not answer, or the ingest queue is full or its deadline passed; nothing was changed or acknowledged.', ['unavailable'], {
    'Retry-After': { ...retryAfter, required: false },
  }),
  IngestUnavailable: errorResponse(
    'unavailable: Postgres does not answer, or the ingest queue is full or its deadline passed; nothing was stored. ' +
      'outcome_unknown: the connection broke after the insert was sent, so the events may or may not have been stored; ' +
      'retry only with the same idempotency keys.',
    ['unavailable', 'outcome_unknown'],
    { 'Retry-After': { ...retryAfter, required: false } },
  ),
};

type ErrorResponseName = keyof typeof responses;
const statusOf: Record<ErrorResponseName, string> = {
  BadRequest: '400',
  Unauthorized: '401',
  Forbidden: '403',
  NotFound: '404',
  MethodNotAllowed: '405',
  PayloadTooLarge: '413',
  UnsupportedMediaType: '415',
  RateLimited: '429',
  Unavailable: '503',
  IngestUnavailable: '503',
};
const errors = (...names: ErrorResponseName[]) => Object.fromEntries(names.map((name) => [statusOf[name], response(name)]));

const userJwt = [{ userJwt: [] }];
const ingestKey = [{ ingestKey: [] }];
const adminKey = [{ adminKey: [] }];
// Loopback peers need nothing while METRICS_TOKEN is unset; an empty requirement says so.
const metricsAccess = [{ metricsToken: [] }, {}];
// Every path answers 405 to a method it does not list; OpenAPI has no place for that, so an extension says it.
const otherMethods = { 'x-other-methods': response('MethodNotAllowed') };
const jsonBody = (name: string) => ({ required: true, content: json(schema(name)) });
const noContent = { description: 'Done; no body.' };
const userIdParameter = { name: 'user_id', in: 'path', required: true, description: 'URL-encoded.', schema: schema('UserId') };

/** A POST that changes the state of the caller's notifications: 204, idempotent, announced to their sockets. */
const stateChange = (operationId: string, summary: string, body: string): PathItem => ({
  post: {
    operationId,
    tags: ['notifications'],
    summary,
    security: userJwt,
    requestBody: jsonBody(body),
    responses: {
      '204': noContent,
      ...errors('BadRequest', 'Unauthorized', 'NotFound', 'PayloadTooLarge', 'UnsupportedMediaType', 'RateLimited', 'Unavailable'),
    },
  },
  ...otherMethods,
});

const notificationPaths: Record<string, PathItem> = {
  '/api/notifications': {
    get: {
      operationId: 'listNotifications',
      tags: ['notifications'],
      summary: "The caller's notifications, newest first (created_at, then id, descending).",
      security: userJwt,
      parameters: listQueryParameters({
        limit: 'Page size, 1–100.',
        status: '`unread` (default: unread, not archived, not muted), `read`, `all` (not archived) or `archived`.',
        category: 'Only notifications of this category.',
        cursor: 'Opaque: the X-Next-Cursor of the previous page. One that cannot be decoded is 400.',
      }),
      responses: {
        '200': {
          description: 'One page. When more rows follow, X-Next-Cursor and Link name the next page.',
          headers: {
            'X-Next-Cursor': { description: 'Opaque; pass back as `cursor` for the next page.', schema: { type: 'string' } },
            Link: { description: '`</api/notifications?...&cursor=...>; rel="next"`', schema: { type: 'string' } },
          },
          content: json({ type: 'array', items: schema('Notification') }),
        },
        ...errors('BadRequest', 'Unauthorized', 'RateLimited', 'Unavailable'),
      },
    },
    ...otherMethods,
  },
  '/api/notifications/unread-count': {
    get: {
      operationId: 'countUnread',
      tags: ['notifications'],
      security: userJwt,
      responses: {
        '200': { description: 'Unread notifications of the caller (not archived, not muted), and how many are unseen.', content: json(schema('UnreadCount')) },
        ...errors('Unauthorized', 'RateLimited', 'Unavailable'),
      },
    },
    ...otherMethods,
  },
  '/api/notifications/read': {
    post: {
      operationId: 'markRead',
      tags: ['notifications'],
      summary: 'Marks one notification read. Idempotent; each socket of the caller gets a READ frame when it changes.',
      security: userJwt,
      requestBody: jsonBody('OneId'),
      responses: {
        '204': noContent,
        ...errors('BadRequest', 'Unauthorized', 'NotFound', 'PayloadTooLarge', 'UnsupportedMediaType', 'RateLimited', 'Unavailable'),
      },
    },
    ...otherMethods,
  },
  '/api/notifications/read-all': {
    post: {
      operationId: 'markAllRead',
      tags: ['notifications'],
      summary: 'Marks read every notification of the caller committed when the call started. No body.',
      security: userJwt,
      responses: { '204': noContent, ...errors('Unauthorized', 'PayloadTooLarge', 'RateLimited', 'Unavailable') },
    },
    ...otherMethods,
  },
  '/api/notifications/unread': stateChange('markUnread', "Marks one notification unread. Idempotent; the caller's sockets get CHANGED when it changes.", 'OneId'),
  '/api/notifications/seen': stateChange('markSeen', "Marks notifications seen (1–100 ids, all or nothing). Idempotent; CHANGED to the caller's sockets.", 'SomeIds'),
  '/api/notifications/archive': stateChange('archive', 'Archives notifications (1–100 ids, all or nothing): hidden from the default list and `all`. Idempotent; CHANGED.', 'SomeIds'),
  '/api/notifications/unarchive': stateChange('unarchive', 'Brings archived notifications back (1–100 ids, all or nothing). Idempotent; CHANGED.', 'SomeIds'),
  '/api/notifications/{id}': {
    delete: {
      operationId: 'deleteNotification',
      tags: ['notifications'],
      summary: "Deletes one of the caller's notifications: gone from every list and count. Idempotent; CHANGED to the caller's sockets.",
      security: userJwt,
      parameters: [{ name: 'id', in: 'path', required: true, schema: schema('NotificationId') }],
      responses: { '204': noContent, ...errors('Unauthorized', 'NotFound', 'RateLimited', 'Unavailable') },
    },
    ...otherMethods,
  },
  '/api/preferences': {
    get: {
      operationId: 'getPreferences',
      tags: ['preferences'],
      summary: 'What the caller muted.',
      security: userJwt,
      responses: { '200': { description: 'The preferences.', content: json(schema('Preferences')) }, ...errors('Unauthorized', 'RateLimited', 'Unavailable') },
    },
    put: {
      operationId: 'putPreferences',
      tags: ['preferences'],
      summary: 'Replaces what the caller muted. Muted notifications are stored and listed under `all`, but not pushed, not in the inbox and not counted.',
      security: userJwt,
      requestBody: jsonBody('PreferencesBody'),
      responses: {
        '200': { description: 'The preferences as stored (repeats folded).', content: json(schema('Preferences')) },
        ...errors('BadRequest', 'Unauthorized', 'PayloadTooLarge', 'UnsupportedMediaType', 'RateLimited', 'IngestUnavailable'),
      },
    },
    ...otherMethods,
  },
};

const documentShape = {
  type: 'object',
  properties: { openapi: { type: 'string' }, info: { type: 'object' }, paths: { type: 'object' } },
  required: ['openapi', 'info', 'paths'],
};

const servicePaths: Record<string, PathItem> = {
  '/api/events': {
    post: {
      operationId: 'ingestEvents',
      tags: ['ingestion'],
      summary: `One event, or { events } with 1–${maxBatch}; all or nothing.`,
      description:
        'Ids come back in request order, only after the rows are committed. An event whose (user_id, idempotency_key) was ' +
        'seen before returns the first id and creates nothing; so do repeats inside one batch.',
      security: ingestKey,
      requestBody: jsonBody('IngestBody'),
      responses: {
        '201': { description: 'Committed.', content: json(schema('IngestResult')) },
        ...errors('BadRequest', 'Unauthorized', 'PayloadTooLarge', 'UnsupportedMediaType', 'RateLimited', 'Unavailable'),
      },
    },
    ...otherMethods,
  },
  '/api/users/{user_id}/notifications': {
    delete: {
      operationId: 'eraseUser',
      tags: ['personal data'],
      summary: "Erases every notification of the user; their open sockets get an ERASED frame. Idempotent.",
      security: adminKey,
      parameters: [userIdParameter],
      responses: {
        '200': { description: 'How many were deleted.', content: json(schema('Erased')) },
        ...errors('BadRequest', 'Unauthorized', 'PayloadTooLarge', 'Unavailable'),
      },
    },
    ...otherMethods,
  },
  '/api/users/{user_id}/notifications/export': {
    get: {
      operationId: 'exportUser',
      tags: ['personal data'],
      summary: 'Everything stored about the user, read or not, oldest first.',
      security: adminKey,
      parameters: [userIdParameter],
      responses: {
        '200': {
          description: 'The export, as a download.',
          headers: { 'Content-Disposition': { required: true, schema: { type: 'string', const: 'attachment; filename="notifications.json"' } } },
          content: json(schema('UserExport')),
        },
        ...errors('BadRequest', 'Unauthorized', 'Unavailable'),
      },
    },
    ...otherMethods,
  },
  '/healthz': {
    get: {
      operationId: 'healthz',
      tags: ['health'],
      summary: 'Liveness.',
      responses: { '200': { description: 'The process runs.', content: json(schema('Health')) } },
    },
    ...otherMethods,
  },
  '/readyz': {
    get: {
      operationId: 'readyz',
      tags: ['health'],
      summary: 'Readiness: Postgres and the bus answer.',
      responses: {
        '200': { description: 'Ready.', content: json(schema('Ready')) },
        '503': { description: 'Not ready; the failing check is `down`.', content: json(schema('Ready')) },
      },
    },
    ...otherMethods,
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      tags: ['health'],
      summary: 'Prometheus text exposition. With METRICS_TOKEN set, that bearer token from anywhere; unset, loopback peers only.',
      security: metricsAccess,
      responses: { '200': { description: 'Metrics.', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errors('Unauthorized', 'Forbidden') },
    },
    ...otherMethods,
  },
  '/openapi.json': {
    get: {
      operationId: 'openapi',
      tags: ['meta'],
      summary: 'This document.',
      responses: {
        '200': { description: 'The document.', headers: { ETag: { required: true, schema: { type: 'string' } } }, content: json(documentShape) },
        '304': { description: 'Unchanged since the ETag sent in If-None-Match.' },
      },
    },
    ...otherMethods,
  },
};

const demoOnly = { tags: ['demo'], 'x-demo-only': true };
const demoNotFound = errorResponse('Not in demo mode: these routes do not exist.', ['not_found']);

const demoPaths: Record<string, PathItem> = {
  '/api/demo/session': {
    get: {
      operationId: 'demoSession',
      ...demoOnly,
      summary: 'Demo mode only: a token for the demo user, valid 12 h.',
      responses: { '200': { description: 'A session.', content: json(schema('DemoSession')) }, '404': demoNotFound },
    },
    ...otherMethods,
  },
  '/api/demo/notifications': {
    post: {
      operationId: 'demoNotify',
      ...demoOnly,
      summary: 'Demo mode only: ingests one notification for the caller, as /api/events would.',
      security: userJwt,
      requestBody: jsonBody('DemoNotificationBody'),
      responses: {
        '201': { description: 'Committed.', content: json(schema('IngestResult')) },
        ...errors('BadRequest', 'Unauthorized', 'PayloadTooLarge', 'UnsupportedMediaType', 'Unavailable'),
        '404': demoNotFound,
      },
    },
    ...otherMethods,
  },
};

const wsHeader = (name: string, description: string, value?: string) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string', ...(value ? { const: value } : {}) },
});

const socketPaths: Record<string, PathItem> = {
  '/ws': {
    get: {
      operationId: 'openSocket',
      tags: ['websocket'],
      summary: 'Opens the WebSocket. Frames (READY, NOTIFICATION, READ, ...) and close codes: docs/api.md#websocket.',
      description:
        'The token comes from the `token` query parameter, else from the `belfry_token` cookie; a cookie upgrade must come from the ' +
        "server's own Origin or one in ALLOWED_ORIGINS.",
      security: [{ socketToken: [] }, { socketCookie: [] }],
      parameters: [
        wsHeader('Upgrade', 'The WebSocket handshake.', 'websocket'),
        wsHeader('Connection', 'The WebSocket handshake.', 'Upgrade'),
        wsHeader('Sec-WebSocket-Version', 'Only 13.', '13'),
        wsHeader('Sec-WebSocket-Key', 'The handshake nonce.'),
        { name: 'Origin', in: 'header', required: false, description: 'Checked when the token comes from the cookie.', schema: { type: 'string' } },
      ],
      responses: {
        '101': { description: 'Switching protocols: the socket is open and READY is its first frame.' },
        '401': errorResponse('Missing or invalid token.', ['unauthorized']),
        '403': errorResponse('Cookie token from another origin, or with no Origin.', ['forbidden_origin']),
        '426': errorResponse('No WebSocket handshake, or a version other than 13.', ['upgrade_required'], {
          'Sec-WebSocket-Version': { description: 'The version to use.', schema: { type: 'string', const: '13' } },
        }),
        '429': errorResponse('The user already has MAX_SOCKETS_PER_USER sockets on this process.', ['too_many_connections']),
      },
    },
    ...otherMethods,
  },
};

/** Builds the document; cheap enough to build once per app. */
export function createOpenApiDocument(): OpenApiDocument {
  return {
    openapi: '3.1.1',
    info: {
      title: 'belfry',
      version: '1',
      description:
        'Notifications over REST and WebSocket. Every error is `{ "error": { "code", "message", "details"? } }`. ' +
        'A path not listed here answers 404 `not_found`; a listed path called with a method it does not list answers 405 ' +
        '(`x-other-methods`); a request line without a usable URL answers 400 `bad_request`. WebSocket frames: docs/api.md.',
    },
    tags: [
      { name: 'notifications', description: "The signed-in user's own notifications (user JWT)." },
      { name: 'ingestion', description: 'Service to service (ingest key).' },
      { name: 'personal data', description: "The operator's back office (ingest key)." },
      { name: 'health' },
      { name: 'demo', description: 'Only in demo mode (embedded default, generated secret); 404 otherwise. Marked x-demo-only.' },
      { name: 'websocket', description: 'The upgrade only; frames are in docs/api.md.' },
      { name: 'meta' },
    ],
    paths: { ...notificationPaths, ...servicePaths, ...demoPaths, ...socketPaths },
    components: {
      schemas: componentSchemas(),
      responses,
      securitySchemes: {
        userJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'HS256 signed with JWT_SECRET (or RS256/ES256 from JWT_JWKS_URL, with JWT_ISSUER and JWT_AUDIENCE); `sub` is the user id, `exp` required, lifetime at most JWT_MAX_TTL.',
        },
        ingestKey: { type: 'http', scheme: 'bearer', description: 'INGEST_API_KEY, for ingesting services.' },
        adminKey: { type: 'http', scheme: 'bearer', description: 'ADMIN_API_KEY, for the back office: erase and export.' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, for scrapers that are not on loopback.' },
        socketToken: { type: 'apiKey', in: 'query', name: 'token', description: 'The user JWT, on the upgrade.' },
        socketCookie: { type: 'apiKey', in: 'cookie', name: 'belfry_token', description: 'The user JWT, when the token query parameter is absent.' },
      },
    },
  };
}
