/**
 * Inputs for tests/hardening/fuzz.test.ts: a seeded PRNG, a corpus of hostile values, forged tokens, and the
 * generators that turn them into HTTP requests, upgrade requests and WebSocket frames, each paired with the answers
 * docs/api.md allows. The same seed yields the same requests in the same order.
 */
import { createHmac } from 'node:crypto';

// ───────────────────────────── PRNG ─────────────────────────────

/** mulberry32: a tiny 32-bit seeded PRNG; enough to choose inputs, and reproducible from one number. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Rng {
  next(): number;
  int(max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

/** Wraps mulberry32 with the picks the generators need. */
export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    int: (max) => Math.floor(next() * max),
    pick(items) {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
    chance: (probability) => next() < probability,
  };
}

// ───────────────────────────── corpus ─────────────────────────────

/** `levels` nested arrays: a parser or validator that recurses runs out of stack on these. */
export const deepArray = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
/** `levels` nested objects, same purpose, different code path. */
export const deepObject = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

/** Strings aimed at validators, encoders and the store: NUL, lone surrogates, bidi, limits, injections. */
export const nastyStrings: readonly string[] = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udfff', '\ud83d', '\ude00\ud83d', '\u202eevil', '\u2028\u2029', '\ufeff', '\uffff',
  '\u0001', '\u001b[31m', '\u007f', '\r\n', 'tab\there', 'é', '𝕏😀', 'Ａｄｍｉｎ', "' OR '1'='1", '1; DROP TABLE notifications--',
  "'||pg_sleep(5)||'", '$1', '%s%s%n', '${7*7}', '{{7*7}}', '<img src=x onerror=alert(1)>', '../../etc/passwd', '%00', '%2e%2e%2f',
  '__proto__', 'constructor', 'prototype', 'null', 'undefined', 'NaN', '-0', 'true', 'x'.repeat(64), 'x'.repeat(65),
  'x'.repeat(255), 'x'.repeat(256), 'x'.repeat(4000), 'x'.repeat(4001), '😀'.repeat(2000), '😀'.repeat(2001), 'é'.repeat(4000), 'x'.repeat(20_000),
];

/** JSON texts of the wrong type for a string field: numbers past every limit, containers, prototype keys, nesting. */
export const wrongTypeJson: readonly string[] = [
  'null', 'true', 'false', '0', '-0', '1', '-1', '1.5', '1e308', '1e309', '-1e309', '123456789012345678901234567890', '9007199254740993',
  '[]', '{}', '[null]', '["a"]', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}',
  deepArray(10_000), deepObject(10_000),
];

/** Bodies that are not JSON at all (or not an object where one is expected): each is 400 `invalid_json`. */
export const notJsonObject: readonly string[] = [
  '', ' ', '{', '}', '{"a":}', "{'id':'1'}", '{"id":"1",}', '{"id":"1"} x', 'NaN', 'undefined', '{"id":"1"', '/*c*/{"id":"1"}',
  '{"id":"\\x41"}', '{"id":"\\u12"}', '{"id":"a\nb"}', 'null', '1', '"s"', '[]', '[{"id":"1"}]', 'true', deepArray(100_000), `[${'1,'.repeat(1000)}1]`,
];

/** Byte sequences that are not UTF-8: overlong NUL, encoded surrogate, truncated, out of range, stray continuation. */
export const invalidUtf8: readonly (readonly number[])[] = [
  [0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xc3, 0x28],
];

/** Content types paired with a valid body: whether the contract lets the body through (`either`: it does not say). */
export const contentTypes: readonly { value: string | null; accepted: boolean | 'either' }[] = [
  { value: null, accepted: false },
  { value: 'text/plain', accepted: false },
  { value: 'application/x-www-form-urlencoded', accepted: false },
  { value: 'multipart/form-data; boundary=x', accepted: false },
  { value: 'application/json', accepted: true },
  { value: 'application/json; charset=utf-8', accepted: true },
  { value: 'APPLICATION/JSON', accepted: true },
  { value: 'application/json;charset=utf-16', accepted: 'either' },
  { value: 'application/jsonp', accepted: false },
  { value: 'application/json-patch+json', accepted: false },
  { value: 'application/vnd.api+json', accepted: 'either' },
  { value: 'text/json', accepted: false },
  { value: '*/*', accepted: false },
  { value: 'application/*', accepted: false },
  { value: '', accepted: false },
  { value: 'application/json, text/plain', accepted: 'either' },
  { value: 'text/plain, application/json', accepted: 'either' },
  { value: 'application/json ; charset=utf-8', accepted: 'either' },
];

// ───────────────────────────── tokens ─────────────────────────────

const b64url = (data: string) => Buffer.from(data, 'utf8').toString('base64url');

/** Builds a JWT from raw parts: any header, any payload, an HMAC with any hash, or no signature at all. */
export function forgeJwt(header: object | string, payload: object | string, key: string | null, hash: 'sha256' | 'sha384' | 'sha512' = 'sha256'): string {
  const head = b64url(typeof header === 'string' ? header : JSON.stringify(header));
  const body = b64url(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const signature = key === null ? '' : createHmac(hash, key).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/** A valid HS256 token, as the host application would sign it. */
export function userToken(secret: string, sub: string, exp: number): string {
  return forgeJwt({ alg: 'HS256', typ: 'JWT' }, { sub, iat: exp - 3600, exp }, secret);
}

/** good: the credential is valid; bad: it must be refused; either: the contract does not say. */
export type Verdict = 'good' | 'bad' | 'either';

export interface Credential {
  label: string;
  /** The Authorization header value; null sends none. */
  header: string | null;
  verdict: Verdict;
  /** Only a raw socket can send it (bytes a fetch client refuses in a header). */
  raw?: boolean;
}

export interface FuzzUser {
  id: string;
  token: string;
  /** Notification ids this user owns (seeded before the run). */
  owns: string[];
  /** Owned ids only DELETE is pointed at, so no other case finds its row gone. */
  deletable?: string[];
}

export interface FuzzContext {
  jwtSecret: string;
  ingestKey: string;
  adminKey: string;
  users: FuzzUser[];
  /** Ids that exist but belong to nobody in `users`. */
  foreignIds: string[];
  nowSeconds: number;
}

/** Tokens a user route must refuse (and the few it may take), for `user`. */
export function userTokenVariants(ctx: FuzzContext, user: FuzzUser): { label: string; token: string; verdict: Verdict }[] {
  const { jwtSecret: secret, nowSeconds: now } = ctx;
  const claims = { sub: user.id, iat: now, exp: now + 3600 };
  const hs = { alg: 'HS256', typ: 'JWT' };
  const [head = '', body = '', signature = ''] = user.token.split('.');
  const otherBody = b64url(JSON.stringify({ ...claims, sub: `${user.id}-other` }));
  const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
  return [
    { label: 'valid', token: user.token, verdict: 'good' },
    { label: 'alg none, no signature', token: forgeJwt({ alg: 'none', typ: 'JWT' }, claims, null), verdict: 'bad' },
    { label: 'alg none, with signature', token: forgeJwt({ alg: 'none' }, claims, secret), verdict: 'bad' },
    { label: 'alg NONE', token: forgeJwt({ alg: 'NONE' }, claims, null), verdict: 'bad' },
    { label: 'alg HS384', token: forgeJwt({ alg: 'HS384' }, claims, secret, 'sha384'), verdict: 'bad' },
    { label: 'alg HS512', token: forgeJwt({ alg: 'HS512' }, claims, secret, 'sha512'), verdict: 'bad' },
    { label: 'alg RS256 with an HMAC signature', token: forgeJwt({ alg: 'RS256' }, claims, secret), verdict: 'bad' },
    { label: 'alg hs256 lowercase', token: forgeJwt({ alg: 'hs256' }, claims, secret), verdict: 'bad' },
    { label: 'no alg', token: forgeJwt({ typ: 'JWT' }, claims, secret), verdict: 'bad' },
    { label: 'tampered payload', token: `${head}.${otherBody}.${signature}`, verdict: 'bad' },
    { label: 'tampered signature', token: `${head}.${body}.${flipped}`, verdict: 'bad' },
    { label: 'stripped signature', token: `${head}.${body}.`, verdict: 'bad' },
    { label: 'extra segment', token: `${user.token}.AAAA`, verdict: 'bad' },
    { label: 'two segments', token: `${head}.${body}`, verdict: 'bad' },
    { label: 'wrong secret', token: forgeJwt(hs, claims, `${secret}-but-not-quite`), verdict: 'bad' },
    { label: 'signed with the ingest key', token: forgeJwt(hs, claims, ctx.ingestKey), verdict: 'bad' },
    { label: 'expired', token: forgeJwt(hs, { ...claims, exp: now - 30 }, secret), verdict: 'bad' },
    { label: 'exp is a string', token: forgeJwt(hs, { ...claims, exp: String(now + 3600) }, secret), verdict: 'bad' },
    { label: 'exp is 1e309 (Infinity)', token: forgeJwt(hs, `{"sub":${JSON.stringify(user.id)},"exp":1e309}`, secret), verdict: 'bad' },
    { label: 'no exp', token: forgeJwt(hs, { sub: user.id }, secret), verdict: 'bad' },
    { label: 'no sub', token: forgeJwt(hs, { exp: now + 3600 }, secret), verdict: 'bad' },
    { label: 'empty sub', token: forgeJwt(hs, { ...claims, sub: '' }, secret), verdict: 'bad' },
    { label: 'sub of 256 characters', token: forgeJwt(hs, { ...claims, sub: 'u'.repeat(256) }, secret), verdict: 'bad' },
    { label: 'sub with NUL', token: forgeJwt(hs, { ...claims, sub: `${user.id}\u0000` }, secret), verdict: 'bad' },
    { label: 'sub with newline', token: forgeJwt(hs, { ...claims, sub: `${user.id}\nx` }, secret), verdict: 'bad' },
    { label: 'sub is a number', token: forgeJwt(hs, { ...claims, sub: 42 }, secret), verdict: 'bad' },
    { label: 'sub is an object', token: forgeJwt(hs, { ...claims, sub: { id: user.id } }, secret), verdict: 'bad' },
    { label: 'payload is an array', token: forgeJwt(hs, '[1,2]', secret), verdict: 'bad' },
    { label: 'payload is not JSON', token: forgeJwt(hs, 'not json', secret), verdict: 'bad' },
    { label: 'header is not JSON', token: forgeJwt('{alg:HS256}', claims, secret), verdict: 'bad' },
    { label: 'unknown crit header', token: forgeJwt({ ...hs, crit: ['x'], x: 1 }, claims, secret), verdict: 'bad' },
    { label: 'b64:false', token: forgeJwt({ ...hs, b64: false, crit: ['b64'] }, claims, secret), verdict: 'bad' },
    { label: 'kid/jku injection', token: forgeJwt({ ...hs, kid: '../../../dev/null', jku: 'http://127.0.0.1:9/jwks' }, claims, secret), verdict: 'either' },
    { label: 'nbf in the future', token: forgeJwt(hs, { ...claims, nbf: now + 3600 }, secret), verdict: 'either' },
    { label: '4097 characters', token: `${user.token}${'A'.repeat(Math.max(0, 4097 - user.token.length))}`, verdict: 'bad' },
    { label: '10 KB of junk', token: 'A'.repeat(10 * 1024), verdict: 'bad' },
    { label: 'the ingest key', token: ctx.ingestKey, verdict: 'bad' },
    { label: 'the JWT secret', token: secret, verdict: 'bad' },
    { label: 'padded with =', token: `${user.token}==`, verdict: 'either' },
    { label: 'standard base64 alphabet', token: user.token.replace(/-/g, '+').replace(/_/g, '/'), verdict: user.token.includes('-') || user.token.includes('_') ? 'either' : 'good' },
  ];
}

/** Authorization headers for a user route, built on the token variants plus malformed schemes. */
export function userCredentials(ctx: FuzzContext, user: FuzzUser): Credential[] {
  const t = user.token;
  return [
    ...userTokenVariants(ctx, user).map((variant) => ({ label: `token ${variant.label}`, header: `Bearer ${variant.token}`, verdict: variant.verdict })),
    ...schemeVariants(t),
  ];
}

/** Authorization headers for an ingest-key route. */
export function ingestCredentials(ctx: FuzzContext): Credential[] {
  return keyCredentials(ctx, 'ingest key', ctx.ingestKey, [{ label: 'the admin key', header: `Bearer ${ctx.adminKey}`, verdict: 'bad' }]);
}

/** Authorization headers for an admin-key route (erase, export): the ingest key is not enough. */
export function adminCredentials(ctx: FuzzContext): Credential[] {
  return keyCredentials(ctx, 'admin key', ctx.adminKey, [{ label: 'the ingest key', header: `Bearer ${ctx.ingestKey}`, verdict: 'bad' }]);
}

function keyCredentials(ctx: FuzzContext, name: string, key: string, others: Credential[]): Credential[] {
  const user = ctx.users[0];
  return [
    { label: name, header: `Bearer ${key}`, verdict: 'good' },
    ...others,
    { label: 'key with a suffix', header: `Bearer ${key}x`, verdict: 'bad' },
    { label: 'key with a prefix', header: `Bearer x${key}`, verdict: 'bad' },
    { label: 'key upper-cased', header: `Bearer ${key.toUpperCase()}`, verdict: 'bad' },
    { label: 'key minus its last character', header: `Bearer ${key.slice(0, -1)}`, verdict: 'bad' },
    { label: 'a user token', header: user ? `Bearer ${user.token}` : 'Bearer x', verdict: 'bad' },
    { label: 'the JWT secret', header: `Bearer ${ctx.jwtSecret}`, verdict: 'bad' },
    ...schemeVariants(key),
  ];
}

/** The same valid secret under malformed schemes: every one must be refused except the case-insensitive scheme. */
function schemeVariants(secret: string): Credential[] {
  return [
    { label: 'absent', header: null, verdict: 'bad' },
    { label: 'empty', header: '', verdict: 'bad' },
    { label: 'scheme only', header: 'Bearer', verdict: 'bad' },
    { label: 'empty bearer', header: 'Bearer ', verdict: 'bad' },
    { label: 'lowercase scheme', header: `bearer ${secret}`, verdict: 'either' },
    { label: 'upper-case scheme', header: `BEARER ${secret}`, verdict: 'either' },
    { label: 'two spaces', header: `Bearer  ${secret}`, verdict: 'bad' },
    { label: 'tab separator', header: `Bearer\t${secret}`, verdict: 'bad' },
    { label: 'two tokens', header: `Bearer ${secret} ${secret}`, verdict: 'bad' },
    { label: 'two credentials', header: `Bearer ${secret}, Bearer ${secret}`, verdict: 'bad' },
    { label: 'basic', header: `Basic ${Buffer.from(`user:${secret}`).toString('base64')}`, verdict: 'bad' },
    { label: 'no scheme', header: secret, verdict: 'bad' },
    { label: 'token scheme', header: `Token ${secret}`, verdict: 'bad' },
    { label: '10 KB bearer', header: `Bearer ${'B'.repeat(10 * 1024)}`, verdict: 'bad' },
    { label: 'non-ASCII bearer (raw UTF-8 bytes)', header: `Bearer ${Buffer.from('тест-токен', 'utf8').toString('latin1')}`, verdict: 'bad', raw: true },
    { label: 'invalid UTF-8 bearer', header: 'Bearer \xff\xfe\xfd', verdict: 'bad', raw: true },
  ];
}

// ───────────────────────────── routes ─────────────────────────────

export type Auth = 'user' | 'ingest' | 'admin' | 'none';

export interface Route {
  path: string;
  /** Methods the contract defines (GET implies HEAD). */
  methods: readonly string[];
  auth: Auth;
  /** json: the body is parsed; ignored: a body is accepted unread; none: no body expected. */
  body: 'json' | 'ignored' | 'none';
  /** Body limit in bytes, for routes under /api. */
  limit?: number;
  rateLimited?: boolean;
  demoOnly?: boolean;
}

const kib = 1024;
/** A notification id that is well formed and never exists. */
export const absentId = '9000000000000000001';
/** A user id the personal-data routes are pointed at: it never owns a row, so erasing it changes nothing. */
export const eraseTarget = 'erase-target';

/** Every route in docs/api.md. */
export const routes: readonly Route[] = [
  { path: '/api/notifications', methods: ['GET'], auth: 'user', body: 'none', limit: 16 * kib, rateLimited: true },
  { path: '/api/notifications/unread-count', methods: ['GET'], auth: 'user', body: 'none', limit: 16 * kib, rateLimited: true },
  { path: '/api/notifications/read', methods: ['POST'], auth: 'user', body: 'json', limit: 16 * kib, rateLimited: true },
  { path: '/api/notifications/read-all', methods: ['POST'], auth: 'user', body: 'ignored', limit: 16 * kib, rateLimited: true },
  { path: '/api/notifications/unread', methods: ['POST'], auth: 'user', body: 'json', limit: 16 * kib, rateLimited: true },
  { path: '/api/notifications/seen', methods: ['POST'], auth: 'user', body: 'json', limit: 16 * kib, rateLimited: true },
  { path: '/api/notifications/archive', methods: ['POST'], auth: 'user', body: 'json', limit: 16 * kib, rateLimited: true },
  { path: '/api/notifications/unarchive', methods: ['POST'], auth: 'user', body: 'json', limit: 16 * kib, rateLimited: true },
  // A well-formed id nobody owns: deleting it is 404 (deleting own rows is judged with the random cases).
  { path: `/api/notifications/${absentId}`, methods: ['DELETE'], auth: 'user', body: 'none', limit: 16 * kib, rateLimited: true },
  { path: '/api/preferences', methods: ['PUT', 'GET'], auth: 'user', body: 'json', limit: 16 * kib, rateLimited: true },
  { path: '/api/events', methods: ['POST'], auth: 'ingest', body: 'json', limit: 4096 * kib, rateLimited: true },
  { path: `/api/users/${eraseTarget}/notifications`, methods: ['DELETE'], auth: 'admin', body: 'none', limit: 16 * kib },
  { path: `/api/users/${eraseTarget}/notifications/export`, methods: ['GET'], auth: 'admin', body: 'none', limit: 16 * kib },
  { path: '/api/demo/session', methods: ['GET'], auth: 'none', body: 'none', limit: 16 * kib, demoOnly: true },
  { path: '/api/demo/notifications', methods: ['POST'], auth: 'user', body: 'json', limit: 16 * kib, demoOnly: true },
  { path: '/healthz', methods: ['GET'], auth: 'none', body: 'none' },
  { path: '/readyz', methods: ['GET'], auth: 'none', body: 'none' },
  // Loopback peers need no token while METRICS_TOKEN is unset (the fuzz runs on loopback).
  { path: '/metrics', methods: ['GET'], auth: 'none', body: 'none' },
];

/** Success statuses of a well-formed request to `route`. */
function okOf(route: Route): number[] {
  if (route.path === '/api/events' || route.path === '/api/demo/notifications') return [201];
  if (route.path === `/api/notifications/${absentId}`) return [404];
  if (/\/(read|read-all|unread|seen|archive|unarchive)$/.test(route.path)) return [204];
  return [200];
}

/**
 * The statuses the contract allows for a request: `good` is what a well-formed, authorised call with this body or
 * query gets. Authentication and the method may be checked in either order; over-limit bodies are refused first.
 */
export function expectFor(route: Route, method: string, credential: Verdict, good: readonly number[], bodyBytes: number, demo: boolean): number[] {
  if (route.demoOnly && !demo) return [404];
  if (route.limit !== undefined && bodyBytes > route.limit) return [413];
  const defined = route.methods.includes(method) || (method === 'HEAD' && route.methods.includes('GET'));
  const statuses = new Set<number>();
  const needsAuth = route.auth !== 'none';
  if (needsAuth && credential !== 'good') statuses.add(401);
  if (!needsAuth || credential !== 'bad' || !defined) {
    if (!defined) statuses.add(405);
    else for (const status of good) statuses.add(status);
    if (route.rateLimited && (credential !== 'bad' || !needsAuth)) statuses.add(429);
  }
  return [...statuses].sort();
}

// ───────────────────────────── HTTP cases ─────────────────────────────

export interface HttpCase {
  /** What the case probes; never carries a secret (it is printed on failure). */
  label: string;
  instance: 'main' | 'demo';
  method: string;
  /** Path and query, exactly as sent on the request line. */
  target: string;
  headers: [string, string][];
  body?: string | Uint8Array | { streamBytes: number };
  /** Needs a raw socket: un-normalised paths, duplicate headers, bytes a fetch client refuses. */
  raw: boolean;
  expect: readonly number[];
  /** The error code the contract names for the 4xx this case is built to provoke. */
  code?: string;
  /** Credentials the request carried: none may come back. */
  sent: string[];
  /** Ingest bodies: the user the rows go to when the body is accepted (the demo route stores for `demo`). */
  stores?: 'events' | 'demo';
  /** The route's pattern, to group failures. */
  route: string;
}

interface BodyChoice {
  label: string;
  body: string | Uint8Array | { streamBytes: number };
  contentType: string | null;
  good: number[];
  code?: string;
  raw?: boolean;
}

const controlChars = /[\u0000-\u001f\u007f]/;
const fieldMax = { user_id: 255, type: 64, message: 4000, idempotency_key: 255 } as const;
type EventField = keyof typeof fieldMax;

/** Whether a string passes the documented rule of an ingest field; `either` where "characters" is ambiguous (astral). */
export function fieldOk(field: EventField, value: string): boolean | 'either' {
  const forbidden = field === 'user_id' || field === 'type' ? controlChars : /\u0000/;
  // Lone surrogates are refused: stored as U+FFFD they would merge distinct ids and keys.
  if (value.length === 0 || forbidden.test(value) || !value.isWellFormed()) return false;
  // A URL resolves these as path segments: such a user could never be erased or exported.
  if (field === 'user_id' && (value === '.' || value === '..')) return false;
  if (value.length <= fieldMax[field]) return true;
  return [...value].length > fieldMax[field] ? false : 'either';
}

const objectText = (fields: [string, string][]) => `{${fields.map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(',')}}`;
const statusesOf = (ok: boolean | 'either', success: number): number[] => (ok === true ? [success] : ok === false ? [400] : [success, 400]);

/** One event as JSON fields, with at most one field mutated; `good` is what a valid call with it gets. */
function eventFields(rng: Rng, n: number, mutate: boolean): { fields: [string, string][]; ok: boolean | 'either'; label: string } {
  const values: Record<EventField, string> = { user_id: `fz-${n}-u`, type: 't', message: `m-${n}`, idempotency_key: `k-${n}` };
  const fields: [string, string][] = [];
  const withKey = rng.chance(0.3);
  for (const field of ['user_id', 'type', 'message'] as const) fields.push([field, JSON.stringify(values[field])]);
  if (withKey) fields.push(['idempotency_key', JSON.stringify(values.idempotency_key)]);
  if (!mutate) return { fields, ok: true, label: 'valid event' };
  const field = rng.pick(['user_id', 'type', 'message', 'idempotency_key'] as const);
  const index = fields.findIndex(([name]) => name === field);
  const set = (value: string) => (index >= 0 ? (fields[index] = [field, value]) : fields.push([field, value]));
  switch (rng.int(5)) {
    case 0:
    case 1: {
      const nasty = rng.pick(nastyStrings);
      // User ids keep a per-request prefix, so every stored row can be traced to the request that made it.
      const value = field === 'user_id' ? `fz-${n}-${nasty}` : nasty;
      set(JSON.stringify(value));
      return { fields, ok: fieldOk(field, value), label: `${field} = nasty string #${nastyStrings.indexOf(nasty)}` };
    }
    case 2: {
      const json = rng.pick(wrongTypeJson);
      set(json);
      return { fields, ok: false, label: `${field} = wrong type ${json.slice(0, 24)}` };
    }
    case 3: {
      if (index >= 0) fields.splice(index, 1);
      return { fields, ok: field === 'idempotency_key', label: `${field} missing` };
    }
    default: {
      const [name, value] = rng.pick([
        ['__proto__', '{"polluted":true}'],
        ['constructor', '{"prototype":{"polluted":true}}'],
        ['extra', '1'],
        ['user_id', '{"$ne":null}'],
        ['message', '"duplicate key, second value wins"'],
      ] as const);
      fields.push([name, value]);
      const duplicateOk = name === 'message' ? true : name === 'user_id' ? false : 'either';
      return { fields, ok: duplicateOk, label: `extra key ${name}` };
    }
  }
}

/** A body for POST /api/events. */
function eventsBody(rng: Rng, fresh: () => number): BodyChoice {
  const n = fresh();
  const json = (text: string, good: number[], label: string, code?: string): BodyChoice => ({ label, body: text, contentType: 'application/json', good, ...(code ? { code } : {}) });
  switch (rng.int(13)) {
    case 0:
    case 1:
    case 2: {
      const event = eventFields(rng, n, true);
      return json(objectText(event.fields), statusesOf(event.ok, 201), `event: ${event.label}`, event.ok === false ? 'validation_failed' : undefined);
    }
    case 3:
    case 4: {
      const size = 1 + rng.int(4);
      const events = Array.from({ length: size }, () => eventFields(rng, fresh(), rng.chance(0.5)));
      const oks = events.map((event) => event.ok);
      const ok = oks.includes(false) ? false : oks.includes('either') ? 'either' : true;
      const text = `{"events":[${events.map((event) => objectText(event.fields)).join(',')}]}`;
      return json(text, statusesOf(ok, 201), `batch of ${size}: ${events.map((event) => event.label).join('; ')}`);
    }
    case 5: {
      const text = rng.pick(notJsonObject);
      return json(text, [400], `not a JSON object: ${text.slice(0, 24)}`, 'invalid_json');
    }
    case 6: {
      const bad = rng.pick(wrongTypeJson);
      return json(`{"events":${bad}}`, [400], `events = ${bad.slice(0, 24)}`, 'validation_failed');
    }
    case 7: {
      const variant = rng.pick(['empty batch', '1001 events', '1000 then one bad', 'events and fields'] as const);
      const one = (i: number) => `{"user_id":"fz-${n}-b${i}","type":"t","message":"m"}`;
      if (variant === 'empty batch') return json('{"events":[]}', [400], variant, 'validation_failed');
      if (variant === '1001 events') return json(`{"events":[${Array.from({ length: 1001 }, (_, i) => one(i)).join(',')}]}`, [400], variant, 'validation_failed');
      if (variant === '1000 then one bad') return json(`{"events":[${Array.from({ length: 1000 }, (_, i) => one(i)).join(',')},{"user_id":"fz-${n}-x","type":"t","message":""}]}`, [400], variant, 'validation_failed');
      return json(`{"events":[${one(0)}],"user_id":"fz-${n}-mixed","type":"t","message":"m"}`, [201, 400], variant);
    }
    case 8: {
      const type = rng.pick(contentTypes);
      const good = type.accepted === true ? [201] : type.accepted === false ? [415] : [201, 415];
      const text = `{"user_id":"fz-${n}-ct","type":"t","message":"content type"}`;
      return { label: `content-type ${JSON.stringify(type.value)}`, body: type.value === null ? new TextEncoder().encode(text) : text, contentType: type.value, good, ...(type.accepted === false ? { code: 'unsupported_media_type' } : {}) };
    }
    case 9: {
      const bad = rng.pick(invalidUtf8);
      const bytes = [...new TextEncoder().encode(`{"user_id":"fz-${n}-`), ...bad, ...new TextEncoder().encode('","type":"t","message":"invalid utf-8"}')];
      // A decoder may replace the bytes (U+FFFD) or refuse the body; the contract names neither.
      return { label: `invalid UTF-8 ${bad.map((b) => b.toString(16)).join(' ')} in user_id`, body: new Uint8Array(bytes), contentType: 'application/json', good: [201, 400] };
    }
    case 11: {
      const variant = rng.pick(['many users', 'many users with a key', 'repeated user', 'user_id and user_ids', '1001 users', 'batch past 1000 rows', 'content'] as const);
      if (variant === 'content') {
        const [field, value, ok] = rng.pick<[string, unknown, boolean]>([
          ['url', 'javascript:alert(1)', false], ['url', 'data:text/html,x', false], ['url', '//evil.example', false], ['url', '/\\evil.example', false],
          ['url', '/ok', true], ['url', 'https://ok.example/x', true], ['title', rng.pick(nastyStrings), false], ['category', rng.pick(nastyStrings), false],
          ['data', { blob: 'x'.repeat(5 * 1024) }, false], ['data', { ok: [1, { deep: true }] }, true], ['data', [1], false], ['data', { s: '\ud800' }, false],
          ['actions', [{ label: 'x', url: 'javascript:alert(1)' }], false], ['actions', [{ label: 'x', url: '/a' }, { label: 'y', url: '/b' }], true],
          ['actor', { name: 'A', avatar_url: '/a.png' }, false], ['actor', { name: 'A', avatar_url: 'https://a.example/a.png' }, true],
        ]);
        const text = `{"user_id":"fz-${n}-content","type":"t","message":"m",${JSON.stringify(field)}:${JSON.stringify(value)}}`;
        // A nasty title or category may happen to be valid; the server must still answer 201 or 400, never 5xx.
        const good = ok ? [201] : field === 'title' || field === 'category' ? [201, 400] : [400];
        return json(text, good, `content ${field}`);
      }
      const users = (count: number) => JSON.stringify(Array.from({ length: count }, (_, i) => `fz-${n}-r${i}`));
      if (variant === 'many users') return json(`{"user_ids":${users(1 + rng.int(5))},"type":"t","message":"m"}`, [201], variant);
      if (variant === 'many users with a key') return json(`{"events":[{"user_ids":${users(3)},"type":"t","message":"m","idempotency_key":"k"},{"user_ids":${users(3)},"type":"t","message":"m","idempotency_key":"k"}]}`, [201], variant);
      if (variant === 'repeated user') return json(`{"user_ids":["fz-${n}-a","fz-${n}-a"],"type":"t","message":"m"}`, [400], variant, 'validation_failed');
      if (variant === 'user_id and user_ids') return json(`{"user_id":"fz-${n}-a","user_ids":["fz-${n}-b"],"type":"t","message":"m"}`, [400], variant, 'validation_failed');
      if (variant === '1001 users') return json(`{"user_ids":${users(1001)},"type":"t","message":"m"}`, [400], variant, 'validation_failed');
      return json(`{"events":[{"user_ids":${users(600)},"type":"t","message":"m"},{"user_ids":${users(401)},"type":"t","message":"m"}]}`, [400], variant, 'validation_failed');
    }
    case 10: {
      // Repeats of one idempotency key inside a batch: one row, the first event's, and the same id for both.
      const one = (message: string) => `{"user_id":"fz-${n}-idem","type":"t","message":"${message}","idempotency_key":"k-${n}"}`;
      return json(`{"events":[${one('first')},${one('second')}]}`, [201], 'idempotency key repeated in a batch');
    }
    default: {
      const event = eventFields(rng, n, false);
      return json(objectText(event.fields), [201], 'valid event');
    }
  }
}

/** Ids for POST /api/notifications/read and what reading them must answer for `user`. */
function readIds(ctx: FuzzContext, user: FuzzUser): { id: string; good: number[] }[] {
  const own = user.owns.map((id) => ({ id, good: [204] }));
  const foreign = ctx.foreignIds.slice(0, 3).map((id) => ({ id, good: [404] }));
  // The contract: "an id that does not exist, is not a well-formed id, or belongs to another user → 404"; a body that
  // is not { id: <string of 1–32 characters> } → 400.
  const malformed = ['0', '-1', '01', '1e3', ' 1', '1 ', '0x1', '9223372036854775807', '9223372036854775808', '99999999999999999999', 'abc', '1\u0000',
    '\u0000', '\ud800', "1' OR '1'='1", '9'.repeat(19)].map((id) => ({ id, good: [404] }));
  const outOfShape = ['', 'x'.repeat(33), '1'.repeat(40)].map((id) => ({ id, good: [400] }));
  return [...own, ...own, ...foreign, ...malformed, ...outOfShape];
}

/** A body for POST /api/notifications/read. */
function readBody(rng: Rng, ctx: FuzzContext, user: FuzzUser): BodyChoice {
  const json = (text: string, good: number[], label: string, code?: string): BodyChoice => ({ label, body: text, contentType: 'application/json', good, ...(code ? { code } : {}) });
  switch (rng.int(8)) {
    case 0:
    case 1:
    case 2: {
      const { id, good } = rng.pick(readIds(ctx, user));
      return json(JSON.stringify({ id }), good, `id ${JSON.stringify(id.slice(0, 24))}`);
    }
    case 3: {
      const bad = rng.pick(wrongTypeJson);
      return json(`{"id":${bad}}`, [400], `id = ${bad.slice(0, 24)}`, 'validation_failed');
    }
    case 4: {
      const text = rng.pick(notJsonObject);
      return json(text, [400], `not a JSON object: ${text.slice(0, 24)}`, 'invalid_json');
    }
    case 5: {
      const [name, value, good] = rng.pick([
        ['__proto__', '{"id":"1"}', [400]],
        ['constructor', '{"prototype":{"polluted":true}}', [400]],
        ['ids', '["1"]', [400]],
        ['id', '"999999999"', [404]],
      ] as const);
      const first = user.owns[0] ?? '1';
      return json(`{"id":${JSON.stringify(first)},${JSON.stringify(name)}:${value}}`, [...good, ...(name === 'id' ? [] : [204])], `extra key ${name}`);
    }
    case 6: {
      const type = rng.pick(contentTypes);
      const text = JSON.stringify({ id: ctx.foreignIds[0] ?? '1' });
      const good = type.accepted === true ? [404] : type.accepted === false ? [415] : [404, 415];
      return { label: `content-type ${JSON.stringify(type.value)}`, body: type.value === null ? new TextEncoder().encode(text) : text, contentType: type.value, good };
    }
    default: {
      const bad = rng.pick(invalidUtf8);
      const bytes = [...new TextEncoder().encode('{"id":"1'), ...bad, ...new TextEncoder().encode('"}')];
      return { label: `invalid UTF-8 ${bad.map((b) => b.toString(16)).join(' ')} in id`, body: new Uint8Array(bytes), contentType: 'application/json', good: [400, 404] };
    }
  }
}

/** A body for the state routes that take `{ ids }` (seen, archive, unarchive) or `{ id }` (unread). */
function stateBody(rng: Rng, ctx: FuzzContext, user: FuzzUser, single: boolean): BodyChoice {
  const json = (text: string, good: number[], label: string, code?: string): BodyChoice => ({ label, body: text, contentType: 'application/json', good, ...(code ? { code } : {}) });
  const candidates = readIds(ctx, user);
  switch (rng.int(6)) {
    case 0:
    case 1: {
      const picks = Array.from({ length: single ? 1 : 1 + rng.int(4) }, () => rng.pick(candidates));
      const text = single ? JSON.stringify({ id: picks[0]!.id }) : JSON.stringify({ ids: picks.map((pick) => pick.id) });
      // All or nothing: one id out of shape is 400, else one id that is not the caller's is 404.
      const good = picks.some((pick) => pick.good.includes(400)) ? [400] : picks.some((pick) => pick.good.includes(404)) ? [404] : [204];
      return json(text, good, `ids ${picks.map((pick) => JSON.stringify(pick.id.slice(0, 12))).join(',')}`);
    }
    case 2: {
      const own = user.owns[0];
      return json(single ? JSON.stringify({ id: own ?? absentId }) : JSON.stringify({ ids: own ? [own, own, own] : [absentId] }), own ? [204] : [404], 'own id repeated');
    }
    case 3: {
      const bad = rng.pick(wrongTypeJson);
      // Some wrong types for `id` are a list of strings, which `ids` takes: then the ids name nothing of the user's.
      return json(single ? `{"id":${bad}}` : `{"ids":${bad}}`, single ? [400] : [400, 404], `ids = ${bad.slice(0, 24)}`, single ? 'validation_failed' : undefined);
    }
    case 4:
      return single
        ? json(`{"id":"1","ids":["1"]}`, [400], 'id and ids', 'validation_failed')
        : json(JSON.stringify({ ids: Array.from({ length: rng.chance(0.5) ? 0 : 101 }, (_, i) => String(i + 1)) }), [400], 'ids empty or 101', 'validation_failed');
    default: {
      const text = rng.pick(notJsonObject);
      return json(text, [400], `not a JSON object: ${text.slice(0, 24)}`, 'invalid_json');
    }
  }
}

/** A body for PUT /api/preferences. */
function preferencesBody(rng: Rng): BodyChoice {
  const json = (text: string, good: number[], label: string): BodyChoice => ({ label, body: text, contentType: 'application/json', good });
  const nasty = rng.pick(nastyStrings);
  const category = rng.pick(['digest', 'a.b', nasty, '', 'x'.repeat(65)]);
  const type = rng.pick(['marketing', nasty, '', 't'.repeat(65)]);
  const categoryOk = /^[a-z0-9][a-z0-9_.-]{0,63}$/i.test(category);
  const typeOk = fieldOk('type', type);
  switch (rng.int(4)) {
    case 0:
    case 1:
      return json(
        JSON.stringify({ muted: { categories: [category], types: [type] } }),
        categoryOk && typeOk === true ? [200] : !categoryOk || typeOk === false ? [400] : [200, 400],
        `mute category #${nastyStrings.indexOf(category)} type #${nastyStrings.indexOf(type)}`,
      );
    case 2:
      return json(rng.pick(['{}', '{"muted":{}}', '{"muted":{"categories":[],"types":[],"users":[]}}', '{"muted":null}', `{"muted":{"categories":${rng.pick(wrongTypeJson)},"types":[]}}`]), [400], 'shape');
    default:
      return json(JSON.stringify({ muted: { categories: Array.from({ length: 101 }, (_, i) => `c${i}`), types: [] } }), [400], '101 categories');
  }
}

/** Ids for DELETE /api/notifications/:id, URL-encoded as sent, and what deleting them must answer for `user`. */
function deleteTargets(ctx: FuzzContext, user: FuzzUser): { path: string; good: number[] }[] {
  // Deleting is idempotent: a repeat of the same id is 204 again.
  const own = (user.deletable ?? []).map((id) => ({ path: id, good: [204] }));
  const foreign = ctx.foreignIds.slice(0, 2).map((id) => ({ path: id, good: [404] }));
  const malformed = ['0', '-1', 'abc', '1e3', '99999999999999999999', '%00', '%20', '%ff', '1%2F2', 'x'.repeat(300), '%27%20OR%201%3D1', '__proto__'].map((path) => ({ path, good: [404] }));
  return [...own, ...foreign, ...malformed];
}

/** A body for POST /api/demo/notifications. */
function demoBody(rng: Rng): BodyChoice {
  const json = (text: string, good: number[], label: string): BodyChoice => ({ label, body: text, contentType: 'application/json', good });
  switch (rng.int(5)) {
    case 0:
    case 1: {
      const field = rng.pick(['type', 'message'] as const);
      const value = rng.pick(nastyStrings);
      const fields: [string, string][] = [['message', '"demo message"'], [field, JSON.stringify(value)]];
      return json(objectText(fields), statusesOf(fieldOk(field, value), 201), `${field} = nasty string #${nastyStrings.indexOf(value)}`);
    }
    case 2: {
      const bad = rng.pick(wrongTypeJson);
      return json(`{"message":${bad}}`, [400], `message = ${bad.slice(0, 24)}`);
    }
    case 3: {
      const text = rng.pick(notJsonObject);
      return json(text, [400], `not a JSON object: ${text.slice(0, 24)}`);
    }
    default:
      return json(rng.pick(['{"message":"hi"}', '{"message":"hi","user_id":"someone-else"}', '{"type":"t"}']), [201, 400], 'shape');
  }
}

const listParams: readonly { query: string; ok: boolean | 'either' }[] = [
  { query: 'limit=1', ok: true }, { query: 'limit=100', ok: true }, { query: 'limit=0', ok: false }, { query: 'limit=101', ok: false },
  { query: 'limit=-1', ok: false }, { query: 'limit=1.5', ok: false }, { query: 'limit=1e309', ok: false }, { query: 'limit=-1e309', ok: false },
  { query: 'limit=NaN', ok: false }, { query: 'limit=Infinity', ok: false }, { query: 'limit=', ok: false }, { query: 'limit=abc', ok: false },
  { query: 'limit=9007199254740993', ok: false }, { query: 'limit=1e-400', ok: false }, { query: 'limit=%D9%A3', ok: false }, { query: 'limit=%00', ok: false },
  { query: 'limit=1e2', ok: 'either' }, { query: 'limit=0x10', ok: 'either' }, { query: 'limit=%207', ok: 'either' }, { query: 'limit=05', ok: 'either' },
  { query: 'limit=1&limit=500', ok: 'either' }, { query: 'limit[]=1', ok: true }, { query: 'limit[a]=1', ok: true },
  { query: 'status=all', ok: true }, { query: 'status=unread', ok: true }, { query: 'status=ALL', ok: false }, { query: 'status=read', ok: true },
  { query: 'status=archived', ok: true }, { query: 'status=deleted', ok: false }, { query: 'category=digest', ok: true }, { query: 'category=a.b-c_d', ok: true },
  { query: 'category=', ok: false }, { query: 'category=a%20b', ok: false }, { query: `category=${'c'.repeat(65)}`, ok: false }, { query: 'category=%00', ok: false },
  { query: 'category=%27%20OR%201%3D1', ok: false }, { query: '_=1700000000000', ok: true }, { query: 'status=archived&category=x&_=1', ok: true },
  { query: 'status=', ok: false }, { query: 'status=all%00', ok: false }, { query: 'status=%E2%80%AEall', ok: false }, { query: 'status=all&status=bogus', ok: 'either' },
  { query: 'x=1', ok: 'either' }, { query: '__proto__=1', ok: 'either' }, { query: 'constructor=1', ok: 'either' }, { query: '%ff=1', ok: 'either' },
  { query: '&&&', ok: 'either' }, { query: '=', ok: 'either' },
  // Long, but short enough that with a 10 KB bearer the head stays under Bun's 16 KiB limit (framingCases covers over).
  { query: 'a'.repeat(4000), ok: 'either' },
];

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Cursors: junk that cannot be decoded (400), and decodable ones at the edges of what Postgres can compare. */
function cursorParam(rng: Rng): { query: string; ok: boolean | 'either' } {
  if (rng.chance(0.5)) {
    const bytes = new Uint8Array(1 + rng.int(120)).map(() => rng.int(256));
    return { query: `cursor=${Buffer.from(bytes).toString(rng.chance(0.5) ? 'base64url' : 'base64').replace(/[+/=]/g, encodeURIComponent)}`, ok: false };
  }
  const edge = rng.pick<{ value: string; ok: boolean | 'either' }>([
    { value: cursorOf(['2026-01-01T00:00:00.000Z', '1']), ok: true },
    { value: cursorOf(['9999-12-31T23:59:59.999Z', '9223372036854775807']), ok: true },
    // Decodable, but past what Postgres stores: the answer may be an empty page or a 400, never a 5xx.
    { value: cursorOf(['2026-01-01T00:00:00.000Z', '9999999999999999999']), ok: 'either' },
    { value: cursorOf(['0000-01-01T00:00:00.000Z', '1']), ok: 'either' },
    { value: cursorOf(['2026-02-30T00:00:00.000Z', '1']), ok: 'either' },
    { value: cursorOf(['+275760-09-13T00:00:00.000Z', '1']), ok: 'either' },
    { value: cursorOf(['2026-01-01T00:00:00.000Z', '-1']), ok: false },
    { value: cursorOf(['2026-01-01T00:00:00.000Z', 1]), ok: false },
    { value: cursorOf(['2026-01-01T00:00:00.000Z']), ok: false },
    { value: cursorOf({ __proto__: null }), ok: false },
    { value: cursorOf('x'.repeat(300)), ok: false },
    { value: '%00', ok: false },
    { value: '%ff%fe', ok: false },
    { value: '', ok: false },
  ]);
  return { query: `cursor=${edge.value}`, ok: edge.ok };
}

/** A query string for GET /api/notifications, and what it gets with a valid token. */
function listQuery(rng: Rng): { query: string; good: number[]; label: string } {
  // One occurrence per name: which of two repeated parameters wins is not in the contract (listParams has those cases).
  const byName = new Map<string, { query: string; ok: boolean | 'either' }>();
  for (let i = 1 + rng.int(3); i > 0; i--) {
    const part = rng.chance(0.3) ? cursorParam(rng) : rng.pick(listParams);
    byName.set(part.query.split(/[=&[]/)[0]!, part);
  }
  const parts = [...byName.values()];
  const oks = parts.map((part) => part.ok);
  const ok = oks.includes(false) ? false : oks.includes('either') ? 'either' : true;
  const query = parts.map((part) => part.query).join('&');
  return { query, good: statusesOf(ok, 200), label: `query ${query.slice(0, 60)}` };
}

/** Values for the :user_id of the personal-data routes, URL-encoded as sent. */
export const userIdParams: readonly string[] = [
  eraseTarget, '%00', 'a%00b', '%0A', '%7F', 'x'.repeat(255), 'x'.repeat(256), '%ff', '%ED%A0%80', '%', '%25', '%2F', 'a%2Fb', '%2e', '%2e%2e',
  '*', '%27%20OR%20%271%27%3D%271', '__proto__', 'constructor', '%E2%80%AE', '%20', 'caf%C3%A9', '%F0%9F%98%80', 'null', '..%2f..%2fetc',
];

/** What the personal-data routes must answer for a :user_id with the ingest key. */
function userParamGood(raw: string): number[] {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // A malformed escape is refused, never taken as literal text.
    return [400];
  }
  // Dot segments are resolved by the URL before routing: the request lands on another route or none.
  if (decoded === '.' || decoded === '..') return [400, 401, 404, 405];
  return fieldOk('user_id', decoded) === false ? [400] : [200];
}

/** Paths no route serves: probes for files, traversal, NUL, encodings, near-misses of real routes. */
export const unknownPaths: readonly { target: string; raw: boolean; expect: number[] }[] = [
  ...['/api', '/api/', '/api/notification', '/api/v1/notifications', '/API/notifications', '/admin', '/.env', '/.git/config', '/server-status',
    '/wp-login.php', '/src/main.ts', '/package.json', '/bunfig.toml', '/sql/00001_notifications.sql', '/web/dist/index.html', '/HEALTHZ', '/healthz;x',
    '/healthz.json', '/readyz/..%2f..%2fpackage.json', '/%ff%fe', '/%c0%ae%c0%ae/package.json', '/..%5c..%5cpackage.json', '/favicon.ico.bak', '/ws/',
  ].map((target) => ({ target, raw: false, expect: [404] })),
  // Under an authenticated prefix, refusing the caller before saying "no such route" is allowed.
  ...['/api/notifications/read/1', '/api/notifications/unread-count/x', '/api/events/1', '/api/users', '/api/users/x',
    '/api/users/x/notifications/export/more', '/api/users/x/other'].map((target) => ({ target, raw: false, expect: [401, 404] })),
  // Traversal out of the panel's directory: sent raw, so no client normalises it first. Never a file outside web/dist.
  ...['/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/assets/../../package.json', '/assets/..%2f..%2fpackage.json', '/../../../etc/passwd',
    '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/assets/%2e%2e/%2e%2e/src/main.ts', '/index.html/..%2f..%2fbunfig.toml', '/..\\..\\package.json',
    '/assets/%252e%252e/%252e%252e/package.json', '/.%2e/.%2e/package.json'].map((target) => ({ target, raw: true, expect: [400, 404] })),
  // NUL anywhere in the path: a 404 (or 400), never a 5xx.
  ...['/index.html%00', '/%00', '/healthz%00', '/assets/%00.js', '/favicon.svg%00.png', '/ws%00'].map((target) => ({ target, raw: true, expect: [400, 404] })),
  ...['/api/notifications%00', '/api/events%00'].map((target) => ({ target, raw: true, expect: [400, 401, 404] })),
  // Paths that resolve onto a real route after normalisation: whatever that route answers, minus 5xx.
  ...['/x/../healthz', '/%00/../healthz', '/api/%2e%2e/healthz', '//healthz', '/healthz/', '/%68ealthz', '/./healthz', '/api/notifications/read/../../events', '/ws/..'].map(
    (target) => ({ target, raw: true, expect: [200, 400, 401, 404, 405] }),
  ),
  { target: 'http://evil.example/healthz', raw: true, expect: [200, 400, 404, 405] },
  { target: `/${'a'.repeat(8000)}`, raw: true, expect: [404, 414] },
  { target: '/index.html', raw: false, expect: [200] },
];

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const rawOnlyMethods = ['TRACE', 'PROPFIND', 'MKCOL', 'LOCK', 'SEARCH'] as const;

/** Turns a credential into headers and the list of secrets it sent. */
function authHeaders(credential: Credential | undefined): { headers: [string, string][]; sent: string[] } {
  if (!credential || credential.header === null) return { headers: [], sent: [] };
  const value = credential.header;
  const token = value.replace(/^\S+\s+/, '');
  return { headers: [['authorization', value]], sent: [value, token].filter((secret) => secret.trim().length >= 16) };
}

function bodyBytes(body: HttpCase['body']): number {
  if (body === undefined) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return body.streamBytes;
}

/** Generates the HTTP cases: a fixed matrix (every route × every credential, every method, every odd path) and seeded random ones. */
export function httpCases(ctx: FuzzContext, demoCtx: FuzzContext, rng: Rng, randomCount: number): HttpCase[] {
  const cases: HttpCase[] = [];
  let n = 0;
  const add = (instance: 'main' | 'demo', route: Route, method: string, credential: Credential | undefined, choice: { query?: string; body?: BodyChoice; pathOverride?: string; good?: number[]; extraLabel?: string }) => {
    const { headers, sent } = authHeaders(credential);
    const body = choice.body;
    if (body && body.contentType !== null) headers.push(['content-type', body.contentType]);
    const good = body?.good ?? choice.good ?? okOf(route);
    const size = body ? bodyBytes(body.body) : 0;
    const path = choice.pathOverride ?? route.path;
    const target = choice.query ? `${path}?${choice.query}` : path;
    const expect = expectFor(route, method, credential?.verdict ?? 'bad', good, size, instance === 'demo');
    cases.push({
      label: [choice.extraLabel, body?.label, credential ? `auth: ${credential.label}` : undefined].filter(Boolean).join(' | '),
      instance,
      method,
      target,
      headers,
      ...(body ? { body: body.body } : {}),
      raw: Boolean(credential?.raw || body?.raw),
      expect,
      ...(body?.code && expect.some((status) => status >= 400) ? { code: body.code } : {}),
      sent,
      ...(route.path === '/api/events' ? { stores: 'events' as const } : route.path === '/api/demo/notifications' ? { stores: 'demo' as const } : {}),
      route: `${method} ${route.path.replace(eraseTarget, ':user_id')}`,
    });
  };
  const credentialsFor = (route: Route, context: FuzzContext, user: FuzzUser): Credential[] =>
    route.auth === 'user'
      ? userCredentials(context, user)
      : route.auth === 'ingest'
        ? ingestCredentials(context)
        : route.auth === 'admin'
          ? adminCredentials(context)
          : [{ label: 'none', header: null, verdict: 'good' }];
  const validBody = (route: Route, user: FuzzUser): BodyChoice | undefined => {
    if (route.path === '/api/events') return { label: 'valid event', body: `{"user_id":"fz-${++n}-auth","type":"t","message":"m"}`, contentType: 'application/json', good: [201] };
    // Without rows of its own the user names an id nobody has ('1' may be the demo user's own row).
    if (route.path.endsWith('/read') || route.path.endsWith('/unread')) return { label: 'own id', body: JSON.stringify({ id: user.owns[0] ?? absentId }), contentType: 'application/json', good: user.owns[0] ? [204] : [404] };
    if (/\/(seen|archive|unarchive)$/.test(route.path)) return { label: 'own ids', body: JSON.stringify({ ids: user.owns.length ? user.owns : [absentId] }), contentType: 'application/json', good: user.owns.length ? [204] : [404] };
    if (route.path === '/api/preferences') return { label: 'mute nothing', body: '{"muted":{"categories":[],"types":[]}}', contentType: 'application/json', good: [200] };
    if (route.path === '/api/demo/notifications') return { label: 'valid', body: '{"message":"hi"}', contentType: 'application/json', good: [201] };
    return undefined;
  };

  for (const [instance, context] of [['main', ctx], ['demo', demoCtx]] as const) {
    const user = context.users[0]!;
    for (const route of routes) {
      if (instance === 'demo' && !route.demoOnly && rng.chance(0.7)) continue;
      // Every credential against the route's own method, with a valid body.
      for (const credential of credentialsFor(route, context, user)) add(instance, route, route.methods[0]!, credential, { body: validBody(route, user) });
      // Every method, with a valid credential and without one.
      for (const method of methods) {
        const good = credentialsFor(route, context, user)[0];
        add(instance, route, method, good, method === 'GET' || method === 'HEAD' ? {} : { body: validBody(route, user) });
        add(instance, route, method, undefined, {});
      }
      for (const method of rawOnlyMethods) add(instance, route, method, { ...credentialsFor(route, context, user)[0]!, raw: true }, {});
    }
  }

  for (const path of unknownPaths) {
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      // The panel's own file answers GET only.
      const expect = path.target === '/index.html' && method !== 'GET' ? [404, 405] : path.expect;
      cases.push({ label: `unknown path ${path.target.slice(0, 60)}`, instance: 'main', method, target: path.target, headers: [], raw: path.raw, expect, sent: [], route: 'unknown path' });
    }
  }

  // Personal-data routes: every :user_id form, with the key.
  const key = adminCredentials(ctx)[0]!;
  for (const param of userIdParams) {
    const route = routes.find((r) => r.path.endsWith('/notifications') && r.auth === 'admin')!;
    const exportRoute = routes.find((r) => r.path.endsWith('/export'))!;
    add('main', route, 'DELETE', key, { pathOverride: `/api/users/${param}/notifications`, good: userParamGood(param), extraLabel: `user_id ${param.slice(0, 30)}` });
    add('main', exportRoute, 'GET', key, { pathOverride: `/api/users/${param}/notifications/export`, good: userParamGood(param), extraLabel: `user_id ${param.slice(0, 30)}` });
  }

  // Seeded random cases: mostly the documented method and a good credential, so the body and query reach the handler.
  const eventsRoute = routes.find((r) => r.path === '/api/events')!;
  const readRoute = routes.find((r) => r.path.endsWith('/read'))!;
  const listRoute = routes.find((r) => r.path === '/api/notifications')!;
  const demoRoute = routes.find((r) => r.path === '/api/demo/notifications')!;
  const stateRoutes = routes.filter((r) => /\/(unread|seen|archive|unarchive)$/.test(r.path));
  const preferencesRoute = routes.find((r) => r.path === '/api/preferences')!;
  const deleteRoute = routes.find((r) => r.path === `/api/notifications/${absentId}`)!;
  for (let i = 0; i < randomCount; i++) {
    const user = rng.pick(ctx.users);
    const roll = rng.next();
    const credentialFrom = (list: Credential[]) => (rng.chance(0.85) ? list[0]! : rng.pick(list));
    if (roll < 0.35) {
      add('main', eventsRoute, 'POST', credentialFrom(ingestCredentials(ctx)), { body: eventsBody(rng, () => ++n) });
    } else if (roll < 0.55) {
      add('main', readRoute, 'POST', credentialFrom(userCredentials(ctx, user)), { body: readBody(rng, ctx, user) });
    } else if (roll < 0.8) {
      const { query, good, label } = listQuery(rng);
      add('main', listRoute, rng.chance(0.9) ? 'GET' : 'HEAD', credentialFrom(userCredentials(ctx, user)), { query, good, extraLabel: label });
    } else if (roll < 0.84) {
      const route = rng.pick(stateRoutes);
      add('main', route, 'POST', credentialFrom(userCredentials(ctx, user)), { body: stateBody(rng, ctx, user, route.path.endsWith('/unread')) });
    } else if (roll < 0.86) {
      add('main', preferencesRoute, 'PUT', credentialFrom(userCredentials(ctx, user)), { body: preferencesBody(rng) });
    } else if (roll < 0.88) {
      const target = rng.pick(deleteTargets(ctx, user));
      add('main', deleteRoute, 'DELETE', credentialFrom(userCredentials(ctx, user)), { pathOverride: `/api/notifications/${target.path}`, good: target.good, extraLabel: `id ${target.path.slice(0, 24)}` });
    } else if (roll < 0.9) {
      add('demo', demoRoute, 'POST', credentialFrom(userCredentials(demoCtx, demoCtx.users[0]!)), { body: demoBody(rng) });
    } else {
      const route = rng.pick(routes.filter((r) => !r.demoOnly));
      const method = rng.pick(methods);
      const body = method === 'GET' || method === 'HEAD' ? undefined : rng.pick<BodyChoice>([
        { label: 'junk body', body: rng.pick(notJsonObject), contentType: 'application/json', good: okOf(route) },
        { label: '16 KiB + 1', body: 'x'.repeat(16 * kib + 1), contentType: 'application/json', good: okOf(route) },
        { label: 'no content type', body: new Uint8Array([0x7b, 0x7d]), contentType: null, good: okOf(route) },
      ]);
      const good = route.body === 'json' && body ? [400, 415] : okOf(route);
      // Queries go to routes that ignore them; the list route's own queries are judged above.
      const query = route !== listRoute && rng.chance(0.3) ? rng.pick(listParams).query : undefined;
      add('main', route, method, credentialFrom(credentialsFor(route, ctx, user)), { ...(body ? { body: { ...body, good } } : {}), query });
    }
  }

  // Oversized bodies: streamed without a length, and one past the server's hard cap.
  const key2 = ingestCredentials(ctx)[0]!;
  add('main', eventsRoute, 'POST', key2, { body: { label: '4 MiB + 1 streamed (chunked)', body: { streamBytes: 4096 * kib + 1 }, contentType: 'application/json', good: [413], code: 'payload_too_large' } });
  add('main', eventsRoute, 'POST', key2, { body: { label: '4 MiB + 1 with a length', body: ' '.repeat(4096 * kib + 1), contentType: 'application/json', good: [413], code: 'payload_too_large' } });
  add('main', eventsRoute, 'POST', key2, { body: { label: '6 MiB with a length', body: ' '.repeat(6144 * kib), contentType: 'application/json', good: [413], code: 'payload_too_large' } });
  add('main', readRoute, 'POST', userCredentials(ctx, ctx.users[0]!)[0], { body: { label: '16 KiB + 1 streamed (chunked)', body: { streamBytes: 16 * kib + 1 }, contentType: 'application/json', good: [413], code: 'payload_too_large' } });
  for (const message of ['x'.repeat(4000), 'é'.repeat(4000)]) {
    const events = Array.from({ length: 1000 }, (_, i) => `{"user_id":"fz-${++n}-big${i}","type":"t","message":${JSON.stringify(message)}}`);
    add('main', eventsRoute, 'POST', key2, { body: { label: `1000 events of 4000 characters (${message[0]})`, body: `{"events":[${events.join(',')}]}`, contentType: 'application/json', good: [201] } });
  }
  for (const text of [deepArray(10_000), deepObject(10_000), `{"events":${deepArray(10_000)}}`, `{"events":[${deepObject(10_000)}]}`, deepArray(100_000), deepObject(100_000)]) {
    add('main', eventsRoute, 'POST', key2, { body: { label: `deep nesting ${text.slice(0, 12)}… (${text.length} bytes)`, body: text, contentType: 'application/json', good: [400] } });
  }

  // Duplicate header lines, which only a raw socket can send.
  const user = ctx.users[0]!;
  cases.push(
    { label: 'two Authorization lines (bad, good)', instance: 'main', method: 'GET', target: '/api/notifications/unread-count', headers: [['authorization', 'Bearer x'], ['authorization', `Bearer ${user.token}`]], raw: true, expect: [200, 401], sent: [user.token], route: 'GET /api/notifications/unread-count' },
    { label: 'two Authorization lines (good, bad)', instance: 'main', method: 'GET', target: '/api/notifications/unread-count', headers: [['authorization', `Bearer ${user.token}`], ['authorization', 'Bearer x']], raw: true, expect: [200, 401], sent: [user.token], route: 'GET /api/notifications/unread-count' },
    { label: 'two Content-Type lines', instance: 'main', method: 'POST', target: '/api/events', headers: [['authorization', `Bearer ${ctx.ingestKey}`], ['content-type', 'application/json'], ['content-type', 'text/plain']], body: `{"user_id":"fz-${++n}-dup","type":"t","message":"m"}`, raw: true, expect: [201, 415], sent: [], stores: 'events', route: 'POST /api/events' },
    { label: 'two Content-Type lines, reversed', instance: 'main', method: 'POST', target: '/api/events', headers: [['authorization', `Bearer ${ctx.ingestKey}`], ['content-type', 'text/plain'], ['content-type', 'application/json']], body: `{"user_id":"fz-${++n}-dup","type":"t","message":"m"}`, raw: true, expect: [201, 415], sent: [], stores: 'events', route: 'POST /api/events' },
    { label: 'Expect: 100-continue', instance: 'main', method: 'POST', target: '/api/events', headers: [['authorization', `Bearer ${ctx.ingestKey}`], ['content-type', 'application/json'], ['expect', '100-continue']], body: `{"user_id":"fz-${++n}-expect","type":"t","message":"m"}`, raw: true, expect: [201, 417], sent: [], stores: 'events', route: 'POST /api/events' },
    { label: 'HTTP/1.0 without Host', instance: 'main', method: 'GET', target: '/healthz', headers: [['x-http-version', '1.0']], raw: true, expect: [400], code: 'bad_request', sent: [], route: 'GET /healthz' },
    { label: 'HTTP/1.0 ingest without Host', instance: 'main', method: 'POST', target: '/api/events', headers: [['x-http-version', '1.0'], ['authorization', `Bearer ${ctx.ingestKey}`], ['content-type', 'application/json']], body: `{"user_id":"fz-${++n}-http10","type":"t","message":"m"}`, raw: true, expect: [400], code: 'bad_request', sent: [], stores: 'events', route: 'POST /api/events' },
    { label: 'CONNECT to an authority', instance: 'main', method: 'CONNECT', target: '127.0.0.1:9', headers: [], raw: true, expect: [400, 404, 405], code: 'bad_request', sent: [], route: 'CONNECT' },
  );
  return cases;
}

// ───────────────────────────── transport-level requests ─────────────────────────────

/**
 * Requests that break HTTP/1.1 framing. Bun's parser answers these before any belfry code runs, with a bare status
 * and no body, so the JSON shape cannot apply; what must hold is no hang, no leak, and a server that keeps serving.
 */
export function framingCases(host: string, ingestKey: string): { label: string; bytes: string; allowed: readonly (number | 'closed')[] }[] {
  const auth = `Authorization: Bearer ${ingestKey}\r\n`;
  return [
    { label: 'HTTP/9.9', bytes: `GET /healthz HTTP/9.9\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, allowed: [400, 505, 'closed'] },
    { label: 'bare LF line endings', bytes: `GET /healthz HTTP/1.1\nHost: ${host}\nConnection: close\n\n`, allowed: [200, 400, 505, 'closed'] },
    { label: 'HTTP/1.1 without Host', bytes: 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n', allowed: [400, 'closed'] },
    { label: 'NUL in a header value', bytes: `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-Bad: a\u0000b\r\nConnection: close\r\n\r\n`, allowed: [400, 'closed'] },
    { label: 'NUL in the query', bytes: `GET /healthz?\u0000 HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, allowed: [400, 505, 'closed'] },
    { label: 'space in the path', bytes: `GET /he althz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, allowed: [400, 404, 505, 'closed'] },
    { label: 'Content-Length and Transfer-Encoding', bytes: `POST /api/events HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\nGET /metrics HTTP/1.1\r\nHost: ${host}\r\n\r\n`, allowed: [400, 'closed'] },
    { label: 'two Content-Lengths', bytes: `POST /api/events HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\nConnection: close\r\n\r\n{}`, allowed: [400, 'closed'] },
    { label: 'negative Content-Length', bytes: `POST /api/events HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Length: -1\r\nConnection: close\r\n\r\n`, allowed: [400, 'closed'] },
    { label: 'bad chunk size', bytes: `POST /api/events HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`, allowed: [400, 'closed'] },
    { label: 'Transfer-Encoding: gzip, chunked', bytes: `POST /api/events HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`, allowed: [400, 415, 501, 'closed'] },
    { label: 'obs-fold header', bytes: `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n`, allowed: [200, 400, 'closed'] },
    { label: 'header without colon', bytes: `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nNoColon\r\nConnection: close\r\n\r\n`, allowed: [400, 'closed'] },
    { label: 'unknown method BREW', bytes: `BREW /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, allowed: [400, 405, 501, 'closed'] },
    { label: 'OPTIONS *', bytes: `OPTIONS * HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, allowed: [400, 404, 405, 'closed'] },
    { label: '20 KB header', bytes: `GET /api/notifications HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${'A'.repeat(20 * 1024)}\r\nConnection: close\r\n\r\n`, allowed: [401, 431, 'closed'] },
    { label: '100 KB URL', bytes: `GET /api/notifications?x=${'a'.repeat(100 * 1024)} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, allowed: [401, 414, 431, 'closed'] },
    { label: 'TLS ClientHello on the plain port', bytes: '\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003', allowed: [400, 'closed'] },
    { label: 'request line only', bytes: 'GET\r\n\r\n', allowed: [400, 505, 'closed'] },
    { label: 'pipelined junk after a request', bytes: `GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n\u0000\u0001\u0002garbage\r\n\r\n`, allowed: [200, 400, 'closed'] },
  ];
}

// ───────────────────────────── WebSocket ─────────────────────────────

export interface UpgradeCase {
  label: string;
  target: string;
  headers: [string, string][];
  method?: string;
  /** Leave out Sec-WebSocket-Key / set an old version, to make the upgrade itself malformed. */
  handshake?: 'normal' | 'no-key' | 'version-8' | 'none';
  expect: readonly number[];
  sent: string[];
}

/** Upgrade requests: bad tokens in the query and the cookie, cross-site cookies, malformed handshakes. */
export function upgradeCases(ctx: FuzzContext, host: string): UpgradeCase[] {
  const user = ctx.users[1] ?? ctx.users[0]!;
  const good = user.token;
  const sameOrigin = `http://${host}`;
  const cases: UpgradeCase[] = userTokenVariants(ctx, user).map((variant) => ({
    label: `?token= ${variant.label}`,
    target: `/ws?token=${encodeURIComponent(variant.token)}`,
    headers: [],
    expect: variant.verdict === 'good' ? [101] : variant.verdict === 'bad' ? [401] : [101, 401],
    sent: [variant.token],
  }));
  const cookie = (value: string, origin: string | null, label: string, expect: number[], target = '/ws'): UpgradeCase => ({
    label,
    target,
    headers: [['cookie', value], ...(origin === null ? [] : [['origin', origin] as [string, string]])],
    expect,
    sent: [good],
  });
  cases.push(
    { label: 'no token', target: '/ws', headers: [], expect: [401], sent: [] },
    { label: 'empty token', target: '/ws?token=', headers: [], expect: [401], sent: [] },
    { label: 'TOKEN upper-case parameter', target: `/ws?TOKEN=${good}`, headers: [], expect: [401], sent: [good] },
    { label: 'token in the fragment', target: `/ws#token=${good}`, headers: [], expect: [401], sent: [good] },
    { label: 'bad token first, good second', target: `/ws?token=bad&token=${good}`, headers: [], expect: [401], sent: [good] },
    { label: 'Authorization header instead of the query', target: '/ws', headers: [['authorization', `Bearer ${good}`]], expect: [101, 401], sent: [good] },
    { label: 'token in the query from a foreign origin', target: `/ws?token=${good}`, headers: [['origin', 'http://evil.example']], expect: [101], sent: [good] },
    cookie(`belfry_token=${good}`, sameOrigin, 'cookie, same origin', [101]),
    cookie(`belfry_token=${good}`, null, 'cookie, no Origin', [403]),
    cookie(`belfry_token=${good}`, 'http://evil.example', 'cookie, foreign origin', [403]),
    cookie(`belfry_token=${good}`, 'null', 'cookie, Origin null', [403]),
    cookie(`belfry_token=${good}`, `http://${host}.evil.example`, 'cookie, origin with our host as a prefix', [403]),
    cookie(`belfry_token=${good}`, `http://evil.example/${host}`, 'cookie, origin with our host in the path', [403]),
    cookie(`belfry_token=${good}`, 'not a url', 'cookie, malformed origin', [403]),
    cookie('belfry_token=garbage', sameOrigin, 'bad cookie, same origin', [401]),
    cookie(`belfry_token=${forgeJwt({ alg: 'none' }, { sub: user.id, exp: ctx.nowSeconds + 3600 }, null)}`, sameOrigin, 'alg none cookie', [401]),
    cookie(`xbelfry_token=${good}`, sameOrigin, 'lookalike cookie name', [401]),
    cookie(`belfry_token=bad; belfry_token=${good}`, sameOrigin, 'two cookies, bad first', [101, 401]),
    cookie(`belfry_token="${good}"`, sameOrigin, 'quoted cookie', [101, 401]),
    cookie(`belfry_token=${good}`, sameOrigin, 'cookie plus a bad query token', [401], '/ws?token=bad'),
    cookie(`belfry_token=${good}`, sameOrigin, 'cookie plus an empty query token', [101, 401], '/ws?token='),
    cookie(`belfry_token=${'A'.repeat(10 * 1024)}`, sameOrigin, '10 KB cookie', [401]),
    { label: 'valid token, no Sec-WebSocket-Key', target: `/ws?token=${good}`, headers: [], handshake: 'no-key', expect: [400, 426], sent: [good] },
    { label: 'valid token, version 8', target: `/ws?token=${good}`, headers: [], handshake: 'version-8', expect: [400, 426], sent: [good] },
    { label: 'bad token, no handshake headers', target: '/ws?token=bad', headers: [], handshake: 'none', expect: [401], sent: [] },
    { label: 'valid token, POST with upgrade headers', target: `/ws?token=${good}`, headers: [], method: 'POST', expect: [400, 405, 426], sent: [good] },
    { label: 'valid token, PUT without upgrade headers', target: `/ws?token=${good}`, headers: [], method: 'PUT', handshake: 'none', expect: [405], sent: [good] },
    { label: 'valid token, DELETE without upgrade headers', target: `/ws?token=${good}`, headers: [], method: 'DELETE', handshake: 'none', expect: [405], sent: [good] },
    { label: 'valid token, /ws/ with upgrade headers', target: `/ws/?token=${good}`, headers: [], expect: [404], sent: [good] },
    { label: 'upgrade to a REST route', target: `/api/notifications?token=${good}`, headers: [], expect: [401], sent: [good] },
    { label: '10 KB token', target: `/ws?token=${'A'.repeat(10 * 1024)}`, headers: [], expect: [401], sent: [] },
  );
  return cases;
}

/** What a client frame must get back: an ERROR that counts toward the limit, a PONG, or an answer named by kind. */
export type FrameKind = 'bad' | 'ping' | 'binary-ping' | 'bad-auth' | 'good-auth' | 'resume';

export interface ScriptFrame {
  kind: FrameKind;
  data: string | Uint8Array;
}

/** Frames the server must answer with ERROR invalid_frame (each counts toward the 10-frame limit). */
export const badFrames: readonly string[] = [
  'not json', '', ' ', '{', '}', 'null', 'true', '0', '1e309', '[]', '{}', '"PING"', '{"type":null}', '{"type":1}', '{"type":["PING"]}',
  '{"type":"ping"}', '{"type":"PING "}', '{"type":"PING\\u0000"}', '{"type":"\\ud800"}', '{"type":"PING","payload":{}}', '{"type":"PING","extra":1}',
  '{"type":"PING","__proto__":{}}', '{"__proto__":{"type":"PING"}}', '{"constructor":{"prototype":{"type":"PING"}}}', '{"type":"PING","type":"NOPE"}',
  '{"type":"AUTH"}', '{"type":"AUTH","payload":{"token":1}}', '{"type":"AUTH","payload":{"token":""}}', '{"type":"AUTH","payload":{}}',
  '{"type":"AUTH","payload":{"token":"x","extra":1}}', '{"type":"RESUME"}', '{"type":"RESUME","payload":{"after":5}}', '{"type":"RESUME","payload":{"after":""}}',
  `{"type":"RESUME","payload":{"after":"${'9'.repeat(33)}"}}`, '{"type":"READY","payload":{"user_id":"someone-else"}}', '{"type":"NOTIFICATION"}',
  deepArray(2000), deepObject(400), '\u0000', '\ufeff{"type":"PING"}x', '{"type":"PING"}{"type":"PING"}', `{"type":"${'A'.repeat(3900)}"}`,
];

/** Frames with a documented answer other than invalid_frame. */
function answeredFrames(ctx: FuzzContext, user: FuzzUser): ScriptFrame[] {
  const variants = userTokenVariants(ctx, user).filter((variant) => variant.verdict === 'bad' && variant.token.length < 3800);
  return [
    { kind: 'ping', data: '{"type":"PING"}' },
    { kind: 'ping', data: ' {"type" : "PING"} ' },
    { kind: 'ping', data: '{"type":"NOPE","type":"PING"}' },
    { kind: 'binary-ping', data: new TextEncoder().encode('{"type":"PING"}') },
    ...variants.map((variant) => ({ kind: 'bad-auth' as const, data: JSON.stringify({ type: 'AUTH', payload: { token: variant.token } }) })),
    { kind: 'good-auth', data: JSON.stringify({ type: 'AUTH', payload: { token: user.token } }) },
    ...['1', '0', '9223372036854775807', '9223372036854775808', '99999999999999999999', '-1', 'abc', '\u0000', '1 OR 1=1', ...ctx.foreignIds.slice(0, 2)].map(
      (after) => ({ kind: 'resume' as const, data: JSON.stringify({ type: 'RESUME', payload: { after } }) }),
    ),
  ];
}

/** One socket's script: at most 9 frames that may count as bad (the 10th closes it), the rest answered frames. */
export function socketScript(rng: Rng, ctx: FuzzContext, user: FuzzUser): ScriptFrame[] {
  const script: ScriptFrame[] = [];
  const answered = answeredFrames(ctx, user);
  let mayCount = 0;
  const length = 8 + rng.int(12);
  while (script.length < length) {
    if (mayCount < 9 && rng.chance(0.5)) {
      const text = rng.pick(badFrames);
      script.push({ kind: 'bad', data: rng.chance(0.15) ? new TextEncoder().encode(text) : text });
      mayCount++;
    } else {
      const frame = rng.pick(answered);
      if (frame.kind === 'binary-ping') {
        if (mayCount >= 9) continue;
        mayCount++; // the contract says frames are text: a binary PING may be refused, and then it counts
      }
      script.push(frame);
    }
  }
  return script;
}

/** A frame of exactly `bytes` bytes: a PING padded with whitespace (valid JSON) or with a field (invalid). */
export function sizedFrame(bytes: number, valid: boolean, multibyte = false): string {
  if (valid) return `{"type":"PING"}${' '.repeat(bytes - 15)}`;
  const shell = '{"type":"PING","pad":""}';
  const room = bytes - shell.length;
  const pad = multibyte ? 'é'.repeat(Math.floor(room / 2)) + 'x'.repeat(room % 2) : 'x'.repeat(room);
  return `{"type":"PING","pad":"${pad}"}`;
}
