/**
 * Hardening: thousands of malformed and hostile requests, upgrades and WebSocket frames against every route of
 * docs/api.md. Whatever comes in, belfry answers a documented success or a 4xx in the JSON error shape, never a 5xx,
 * never a stack, SQL, token or secret; and afterwards it is healthy, still delivers, and stored only what it acknowledged.
 * Inputs come from ./fuzz-inputs.ts, chosen by a seeded PRNG (FUZZ_SEED to replay another run).
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Socket } from 'bun';
import { resolve } from 'node:path';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { connect } from '../helpers/ws-client.ts';
import {
  badFrames,
  createRng,
  framingCases,
  httpCases,
  sizedFrame,
  socketScript,
  upgradeCases,
  userToken,
  type FuzzContext,
  type FuzzUser,
  type HttpCase,
  type UpgradeCase,
} from './fuzz-inputs.ts';

const seed = Number(process.env.FUZZ_SEED ?? 0x5eedbe11);
const concurrency = 32;
const hangMs = 8000;
const repoRoot = resolve(import.meta.dir, '..', '..');

// Secrets derived from the seed, long and distinctive, so finding one in a response cannot be a coincidence.
const secretRng = createRng(seed ^ 0x9e3779b9);
const hex = (length: number) => Array.from({ length }, () => secretRng.int(16).toString(16)).join('');
const secrets = {
  main: { jwt: `fuzz-jwt-secret-${hex(32)}`, ingest: `fuzz-ingest-key-${hex(24)}`, admin: `fuzz-admin-key-${hex(24)}` },
  demo: { jwt: `fuzz-demo-jwt-secret-${hex(32)}`, ingest: `fuzz-demo-ingest-key-${hex(24)}`, admin: `fuzz-demo-admin-key-${hex(24)}` },
};

let main: Belfry;
let demo: Belfry;
let ctx: FuzzContext;
let demoCtx: FuzzContext;
const nowSeconds = Math.floor(Date.now() / 1000);
const stats = { requests: 0, frames: 0, upgrades: 0, statuses: new Map<number | string, number>() };
const startedAt = performance.now();

interface StoredEvent {
  user_id: string;
  type: string;
  message: string;
}
/** Every row belfry acknowledged, per instance: id → what was sent (the store must hold exactly that). */
const acknowledged = { main: new Map<string, StoredEvent>(), demo: new Map<string, StoredEvent>() };

beforeAll(async () => {
  [main, demo] = await Promise.all([
    startBelfry({ jwtSecret: secrets.main.jwt, ingestKey: secrets.main.ingest, adminKey: secrets.main.admin }),
    startBelfry({ jwtSecret: secrets.demo.jwt, ingestKey: secrets.demo.ingest, adminKey: secrets.demo.admin, demo: true, bus: 'local' }),
  ]);
  const users: FuzzUser[] = Array.from({ length: 64 }, (_, i) => {
    const id = `fuzz-user-${i}`;
    return { id, token: userToken(secrets.main.jwt, id, nowSeconds + 3600), owns: [] };
  });
  // A few users own rows, so reads can succeed; one outsider owns rows nobody else may touch.
  const seedRows = async (userId: string, count: number) => {
    const events = Array.from({ length: count }, (_, i) => ({ user_id: userId, type: 'seed', message: `seed ${i} for ${userId}` }));
    const { ids } = (await (await main.ingest({ events })).json()) as { ids: string[] };
    ids.forEach((id, i) => acknowledged.main.set(id, events[i]!));
    return ids;
  };
  for (const user of users.slice(0, 8)) {
    const ids = await seedRows(user.id, 4);
    user.owns = ids.slice(0, 3);
    user.deletable = ids.slice(3);
  }
  const foreignIds = await seedRows('fuzz-foreign', 3);
  ctx = { jwtSecret: secrets.main.jwt, ingestKey: secrets.main.ingest, adminKey: secrets.main.admin, users, foreignIds, nowSeconds };
  demoCtx = {
    jwtSecret: secrets.demo.jwt,
    ingestKey: secrets.demo.ingest,
    adminKey: secrets.demo.admin,
    users: [{ id: 'demo', token: userToken(secrets.demo.jwt, 'demo', nowSeconds + 3600), owns: [] }],
    foreignIds: [],
    nowSeconds,
  };
});

afterAll(async () => {
  await Promise.all([main?.stop(), demo?.stop()]);
});

// ───────────────────────────── findings ─────────────────────────────

/** Problems grouped by kind and route, with a count and the first example (secrets redacted). */
class Findings {
  private readonly groups = new Map<string, { count: number; example: string }>();
  add(kind: string, where: string, example: string) {
    const key = `${kind} — ${where}`;
    const group = this.groups.get(key);
    if (group) group.count++;
    else this.groups.set(key, { count: 1, example: redact(example) });
  }
  report(): string[] {
    return [...this.groups].map(([key, { count, example }]) => `${key} (×${count}), e.g. ${example}`);
  }
}

function allSecrets(): string[] {
  return [secrets.main.jwt, secrets.main.ingest, secrets.demo.jwt, secrets.demo.ingest];
}

function redact(text: string): string {
  let out = text;
  for (const secret of allSecrets()) out = out.split(secret).join('<secret>');
  return out.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '<jwt>').slice(0, 600);
}

const stackPattern = /\n\s+at |\bat [^\s()]+ \(|\.(?:ts|tsx|js|mjs):\d+|node_modules\/|file:\/\//;
const sqlPattern =
  /syntax error at or near|invalid input syntax|violates [a-z ]*constraint|out of range for type|relation "|pg_get_serial_sequence|\bfrom notifications\b|\binto notifications\b|\bupdate notifications\b|notification_outbox|\bunnest\(|PostgresError|\bERROR:\s/i;
const fileMarkers = ['root:x:0:0', '"trustedDependencies"', 'preload = [', 'import type {', 'create table notifications'];

/** Codes the contract pairs with each error status (docs/api.md, Errors and WebSocket upgrades). */
const codesByStatus: Record<number, readonly string[]> = {
  400: ['bad_request', 'invalid_json', 'validation_failed'],
  401: ['unauthorized'],
  403: ['forbidden_origin'],
  404: ['not_found'],
  405: ['method_not_allowed'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
  // A GET /ws without a WebSocket handshake, or with a version other than 13.
  426: ['upgrade_required'],
  429: ['rate_limited', 'too_many_connections'],
  503: ['unavailable'],
};
const statusOfCode: Record<string, number> = { invalid_json: 400, validation_failed: 400, payload_too_large: 413, unsupported_media_type: 415 };

interface Answer {
  status: number;
  contentType: string | null;
  headerText: string;
  body: string;
}

/** Looks for anything that must never leave the server: secrets, submitted credentials, stacks, SQL, files. */
function leaks(text: string, sent: readonly string[], structured: boolean): string | undefined {
  for (const secret of allSecrets()) if (text.includes(secret)) return 'a server secret';
  for (const credential of sent) if (credential.length >= 16 && text.includes(credential)) return 'a submitted credential';
  if (text.includes(repoRoot)) return 'a server file path';
  for (const marker of fileMarkers) if (text.includes(marker)) return `the content of a server file (${marker})`;
  if (structured && stackPattern.test(text)) return 'a stack trace';
  if (structured && sqlPattern.test(text)) return 'SQL';
  return undefined;
}

/** Checks one answer against the contract; returns the problems found. */
function judge(answer: Answer, c: { method: string; expect: readonly number[]; code?: string; sent: readonly string[] }): string[] {
  const problems: string[] = [];
  const { status } = answer;
  if (status >= 500) problems.push(`5xx (${status})`);
  else if (!c.expect.includes(status)) {
    problems.push(c.expect.includes(405) && !c.expect.some((s) => s < 400) ? `wrong method answered ${status}, contract says ${c.expect.join('/')}` : `status ${status}, contract allows ${c.expect.join('/')}`);
  }
  const isJson = /^application\/json\b/i.test(answer.contentType ?? '');
  if (status >= 400) {
    if (!isJson) problems.push(`error without content-type application/json (${answer.contentType ?? 'none'})`);
    if (c.method !== 'HEAD' && status < 500) problems.push(...errorShape(answer, c.code));
  }
  const leak = leaks(`${answer.headerText}\n${answer.body}`, c.sent, status >= 400 || isJson);
  if (leak) problems.push(`response carries ${leak}`);
  return problems;
}

function errorShape(answer: Answer, code: string | undefined): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return [`error body is not JSON`];
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string' || error.message === '') return ['error body is not { error: { code, message } }'];
  const problems: string[] = [];
  if (!codesByStatus[answer.status]?.includes(error.code)) problems.push(`code ${error.code} with status ${answer.status}`);
  if (code && statusOfCode[code] === answer.status && error.code !== code) problems.push(`code ${error.code}, contract says ${code}`);
  const details = error.details;
  if (error.code === 'validation_failed') {
    const ok = Array.isArray(details) && details.length > 0 && details.every((d: { path?: unknown; message?: unknown }) => typeof d?.path === 'string' && typeof d?.message === 'string');
    if (!ok) problems.push('validation_failed without a details list');
  } else if (details !== undefined) problems.push(`details on ${error.code}`);
  if (error.code === 'rate_limited' && !/\nretry-after: \d+/i.test(`\n${answer.headerText}`)) problems.push('rate_limited without Retry-After');
  return problems;
}

function count(status: number | string) {
  stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
}

async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

// ───────────────────────────── raw sockets ─────────────────────────────

/** A TCP connection that keeps every byte received, for requests no HTTP client will send. */
class RawConnection {
  buffer = Buffer.alloc(0);
  closed = false;
  private socket: Socket<undefined> | undefined;
  private pending: Buffer[] = [];
  private waiters = new Set<() => void>();

  static async open(port: number): Promise<RawConnection> {
    const conn = new RawConnection();
    conn.socket = await Bun.connect<undefined>({
      hostname: '127.0.0.1',
      port,
      socket: {
        data: (_socket, data) => {
          conn.buffer = Buffer.concat([conn.buffer, data]);
          conn.wake();
        },
        drain: () => conn.flush(),
        close: () => conn.markClosed(),
        error: () => conn.markClosed(),
      },
    });
    return conn;
  }

  write(bytes: Uint8Array) {
    this.pending.push(Buffer.from(bytes));
    this.flush();
  }

  /** Resolves with the first value `check` returns, or 'timeout'. */
  async until<T>(check: () => T | undefined, timeoutMs: number): Promise<T | 'timeout'> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const result = check();
      if (result !== undefined) return result;
      const left = deadline - performance.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((wake) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          wakers.delete(done);
          wake();
        }
        const wakers = this.waiters;
        wakers.add(done);
      });
    }
  }

  end() {
    this.socket?.end();
  }

  private flush() {
    while (this.socket && this.pending.length > 0 && !this.closed) {
      const chunk = this.pending[0]!;
      const written = this.socket.write(chunk);
      if (written < chunk.length) {
        this.pending[0] = chunk.subarray(Math.max(0, written));
        return;
      }
      this.pending.shift();
    }
  }

  private markClosed() {
    this.closed = true;
    this.wake();
  }

  private wake() {
    for (const wake of [...this.waiters]) wake();
  }
}

interface RawAnswer extends Answer {
  /** Bytes after the response head of a 101 (the first WebSocket frames). */
  rest: Buffer;
}

/** Parses one HTTP response from `buffer`; undefined while incomplete (or, without a length, until the close). */
function parseResponse(buffer: Buffer, head: boolean, closed: boolean): RawAnswer | undefined {
  let offset = 0;
  for (;;) {
    const end = buffer.indexOf('\r\n\r\n', offset);
    if (end < 0) return undefined;
    const [statusLine = '', ...lines] = buffer.subarray(offset, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
    const headers = new Map<string, string>();
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) {
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
      }
    }
    const start = end + 4;
    if (status >= 100 && status < 200 && status !== 101) {
      offset = start; // 100 Continue: the real answer follows
      continue;
    }
    const answer = (body: Buffer, rest: Buffer = Buffer.alloc(0)): RawAnswer => ({
      status,
      contentType: headers.get('content-type') ?? null,
      headerText: lines.join('\n'),
      body: body.toString('utf8'),
      rest,
    });
    if (status === 101 || head || status === 204 || status === 304) return answer(Buffer.alloc(0), buffer.subarray(start));
    if (headers.get('transfer-encoding')?.includes('chunked')) {
      const parts: Buffer[] = [];
      let at = start;
      for (;;) {
        const lineEnd = buffer.indexOf('\r\n', at);
        if (lineEnd < 0) return closed ? answer(Buffer.concat(parts)) : undefined;
        const size = parseInt(buffer.subarray(at, lineEnd).toString('latin1'), 16);
        if (Number.isNaN(size) || size === 0) return answer(Buffer.concat(parts));
        if (buffer.length < lineEnd + 2 + size + 2) return closed ? answer(Buffer.concat(parts)) : undefined;
        parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
    }
    const length = headers.get('content-length');
    if (length !== undefined) {
      const size = Number(length);
      if (buffer.length - start < size) return closed ? answer(buffer.subarray(start)) : undefined;
      return answer(buffer.subarray(start, start + size));
    }
    return closed ? answer(buffer.subarray(start)) : undefined;
  }
}

/** Sends raw request bytes; the answer, 'closed' (no response at all) or 'hang'. */
async function rawExchange(port: number, request: Uint8Array, head = false): Promise<RawAnswer | 'closed' | 'hang'> {
  const conn = await RawConnection.open(port);
  conn.write(request);
  const result = await conn.until(() => parseResponse(conn.buffer, head, conn.closed) ?? (conn.closed ? ('closed' as const) : undefined), hangMs);
  conn.end();
  return result === 'timeout' ? 'hang' : result;
}

function serialize(c: HttpCase, host: string): Uint8Array {
  const http10 = c.headers.some(([name]) => name === 'x-http-version');
  const lines = [`${c.method} ${c.target} HTTP/${http10 ? '1.0' : '1.1'}`];
  if (!http10) lines.push(`Host: ${host}`);
  for (const [name, value] of c.headers) if (name !== 'x-http-version') lines.push(`${name}: ${value}`);
  const body = c.body === undefined ? Buffer.alloc(0) : typeof c.body === 'string' ? Buffer.from(c.body, 'utf8') : c.body instanceof Uint8Array ? Buffer.from(c.body) : Buffer.alloc(0);
  if (body.length > 0 || ['POST', 'PUT', 'PATCH'].includes(c.method)) lines.push(`Content-Length: ${body.length}`);
  lines.push('Connection: close');
  // latin1 keeps header bytes as written (the inputs carry raw UTF-8 and invalid bytes on purpose).
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

async function viaFetch(base: string, c: HttpCase): Promise<Answer | 'hang'> {
  const headers = new Headers();
  for (const [name, value] of c.headers) headers.append(name, value);
  let body: BodyInit | undefined;
  if (typeof c.body === 'string') body = c.body;
  else if (c.body instanceof Uint8Array) body = new Uint8Array(c.body);
  else if (c.body) {
    let left = c.body.streamBytes;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (left <= 0) return controller.close();
        controller.enqueue(chunk.subarray(0, Math.min(left, chunk.length)));
        left -= chunk.length;
      },
    });
  }
  try {
    const response = await fetch(`${base}${c.target}`, { method: c.method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(hangMs) });
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type'), headerText: [...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n'), body: text };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return 'hang';
    throw error;
  }
}

// ───────────────────────────── the tests ─────────────────────────────

/** The events a 201 stored, as the server decoded the body (invalid UTF-8 becomes U+FFFD, a BOM is dropped). */
function storedBy(c: HttpCase): StoredEvent[] | undefined {
  const text = typeof c.body === 'string' ? c.body : c.body instanceof Uint8Array ? new TextDecoder().decode(c.body) : undefined;
  if (text === undefined) return undefined;
  try {
    type Sent = StoredEvent & { user_ids?: string[] };
    const parsed = JSON.parse(text) as { events?: Sent[]; type?: string; message?: string };
    if (c.stores === 'demo') return [{ user_id: 'demo', type: parsed.type ?? 'demo', message: parsed.message ?? '' }];
    // An event for many users stores one row per user, in the order of user_ids.
    const expand = (event: Sent): StoredEvent[] =>
      Array.isArray(event.user_ids) ? event.user_ids.map((user_id) => ({ user_id, type: event.type, message: event.message })) : [event];
    return (Array.isArray(parsed.events) ? parsed.events : [parsed as Sent]).flatMap(expand);
  } catch {
    return undefined;
  }
}

// The checks are the test: prove on made-up answers that each one fires, without breaking the server to see it.
test('the checks catch a 5xx, a wrong status, a malformed error and every kind of leak', () => {
  const request = { method: 'GET', expect: [401], sent: ['submitted-token-0123456789'] };
  const json = (status: number, body: unknown, headerText = ''): Answer => ({ status, contentType: 'application/json', headerText, body: JSON.stringify(body) });
  const unauthorized = { error: { code: 'unauthorized', message: 'Missing or invalid token' } };
  expect(judge(json(401, unauthorized), request)).toEqual([]);
  expect(judge(json(500, { error: { code: 'internal', message: 'Internal error' } }), request)).toContain('5xx (500)');
  expect(judge(json(502, {}), request)).toContain('5xx (502)');
  expect(judge(json(200, []), request)).toContain('status 200, contract allows 401');
  expect(judge({ status: 401, contentType: 'text/plain', headerText: '', body: 'nope' }, request)).toEqual([
    'error without content-type application/json (text/plain)',
    'error body is not JSON',
  ]);
  expect(judge(json(401, { message: 'x' }), request)).toContain('error body is not { error: { code, message } }');
  expect(judge(json(401, { error: { code: 'not_found', message: 'x' } }), request)).toContain('code not_found with status 401');
  const leaked = (body: string) => judge(json(401, { error: { code: 'unauthorized', message: body } }), request);
  expect(leaked(`bad ${secrets.main.jwt}`)).toContain('response carries a server secret');
  expect(leaked(`bad ${secrets.demo.ingest}`)).toContain('response carries a server secret');
  expect(leaked('token submitted-token-0123456789 rejected')).toContain('response carries a submitted credential');
  expect(leaked('TypeError: x\n    at verify (/srv/app/src/auth/tokens.ts:41:13)')).toContain('response carries a stack trace');
  expect(leaked('failed at handler (tokens.ts:41)')).toContain('response carries a stack trace');
  expect(leaked('syntax error at or near "where"')).toContain('response carries SQL');
  expect(leaked('select id from notifications where user_id = $1')).toContain('response carries SQL');
  expect(leaked(`open ${repoRoot}/bunfig.toml`)).toContain('response carries a server file path');
  expect(judge(json(401, unauthorized, `x-debug: ${secrets.main.ingest}`), request)).toContain('response carries a server secret');
  expect(errorShape(json(400, { error: { code: 'validation_failed', message: 'x' } }), undefined)).toEqual(['validation_failed without a details list']);
  expect(errorShape(json(429, { error: { code: 'rate_limited', message: 'x' } }), undefined)).toEqual(['rate_limited without Retry-After']);
});

test(
  'HTTP: every hostile request gets a documented success or a 4xx JSON error; never a 5xx, a hang or a leak',
  async () => {
    const findings = new Findings();
    const cases = httpCases(ctx, demoCtx, createRng(seed), 1500);
    const send = async (c: HttpCase) => {
      const target = c.instance === 'main' ? main : demo;
      const answer = c.raw ? await rawExchange(target.port, serialize(c, `127.0.0.1:${target.port}`), c.method === 'HEAD') : await viaFetch(target.url, c);
      stats.requests++;
      const where = `${c.instance === 'demo' ? 'demo ' : ''}${c.route}`;
      const path = `${c.instance === 'demo' ? 'demo ' : ''}${c.route.replace(/^\S+ /, '')}`;
      const example = `${c.method} ${c.target.slice(0, 120)} [${c.label.slice(0, 160)}]`;
      if (answer === 'hang' || answer === 'closed') {
        count(answer);
        findings.add(answer === 'hang' ? `no answer within ${hangMs} ms` : 'connection closed without an answer', where, example);
        return;
      }
      count(answer.status);
      for (const problem of judge(answer, c)) findings.add(problem, problem.startsWith('wrong method') ? path : where, `${example} → ${answer.status} ${answer.body.slice(0, 200)}`);
      if (answer.status === 201 && c.stores) {
        const events = storedBy(c);
        const ids = (JSON.parse(answer.body) as { ids?: unknown }).ids;
        if (!events || !Array.isArray(ids) || ids.length !== events.length || !ids.every((id) => typeof id === 'string' && /^[1-9]\d*$/.test(id))) {
          findings.add('201 whose ids do not match the events sent', where, `${example} → ${answer.body.slice(0, 200)}`);
          return;
        }
        const store = acknowledged[c.instance];
        ids.forEach((id: string, i) => {
          // A repeated idempotency key maps to the first event's row.
          if (!store.has(id)) store.set(id, events[i]!);
        });
      }
    };
    await pool(cases, concurrency, send);

    // Broken HTTP framing: Bun's parser answers before belfry runs; no hang, no leak, no crash.
    const host = `127.0.0.1:${main.port}`;
    await pool(framingCases(host, secrets.main.ingest), 8, async ({ label, bytes, allowed }) => {
      const answer = await rawExchange(main.port, Buffer.from(bytes, 'latin1'));
      stats.requests++;
      const outcome = typeof answer === 'string' ? answer : answer.status;
      count(outcome);
      if (!allowed.includes(outcome as number | 'closed')) findings.add(`framing answered ${outcome}, allowed ${allowed.join('/')}`, 'HTTP framing', label);
      if (typeof answer !== 'string') {
        const leak = leaks(`${answer.headerText}\n${answer.body}`, [secrets.main.ingest], true);
        if (leak) findings.add(`response carries ${leak}`, 'HTTP framing', label);
      }
    });

    // The run must reach deep into every route, not bounce off one status.
    const seen = [...stats.statuses.keys()];
    for (const status of [200, 201, 204, 400, 401, 404, 405, 413, 415]) {
      if (!seen.includes(status)) findings.add(`status ${status} never seen: the inputs no longer reach that path`, 'coverage', String(seen));
    }
    expect(findings.report()).toEqual([]);
  },
  120_000,
);

/** A WebSocket that records every frame and how it closed. */
interface FuzzSocket {
  ws: WebSocket;
  frames: (string | ArrayBuffer)[];
  close?: { code: number; reason: string };
  /** Waits until `done` holds or the socket closes; false on timeout. */
  settle(done: () => boolean, timeoutMs?: number): Promise<boolean>;
}

/** Opens a socket and resolves once its first frame, which the contract says is READY, arrived. */
async function openSocket(url: string): Promise<FuzzSocket> {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const waiters = new Set<() => void>();
  const socket: FuzzSocket = {
    ws,
    frames: [],
    async settle(done, timeoutMs = 5000) {
      const deadline = performance.now() + timeoutMs;
      while (!done() && !socket.close) {
        const left = deadline - performance.now();
        if (left <= 0) return false;
        await new Promise<void>((wake) => {
          const timer = setTimeout(fire, Math.min(left, 50));
          function fire() {
            clearTimeout(timer);
            waiters.delete(fire);
            wake();
          }
          waiters.add(fire);
        });
      }
      return done();
    },
  };
  const wake = () => [...waiters].forEach((fire) => fire());
  ws.addEventListener('message', (event) => {
    socket.frames.push(event.data as string | ArrayBuffer);
    wake();
  });
  ws.addEventListener('close', (event) => {
    socket.close = { code: event.code, reason: event.reason };
    wake();
  });
  const ready = await socket.settle(() => socket.frames.length > 0, 5000);
  const first = socket.frames[0];
  if (!ready || typeof first !== 'string' || (JSON.parse(first) as { type?: unknown }).type !== 'READY') {
    throw new Error(`socket did not start with READY (close ${JSON.stringify(socket.close)})`);
  }
  return socket;
}

const frameTypes = new Set(['READY', 'NOTIFICATION', 'READ', 'RESYNC', 'PONG', 'ERROR', 'RESUMED', 'AUTHED', 'ERASED', 'RECONNECT']);

/** Parses server frames, reporting any that is not a documented JSON text frame or that leaks. */
function serverFrames(socket: FuzzSocket, findings: Findings, where: string, sent: readonly string[]): { type: string; payload?: { code?: string; reason?: string } }[] {
  const parsed: { type: string; payload?: { code?: string } }[] = [];
  for (const data of socket.frames) {
    if (typeof data !== 'string') {
      findings.add('binary frame from the server', where, `${data.byteLength} bytes`);
      continue;
    }
    const leak = leaks(data, sent, true);
    if (leak) findings.add(`frame carries ${leak}`, where, data.slice(0, 200));
    try {
      const frame = JSON.parse(data) as { type?: unknown; payload?: { code?: string } };
      if (typeof frame.type !== 'string' || !frameTypes.has(frame.type)) findings.add('undocumented frame type', where, data.slice(0, 200));
      else parsed.push(frame as { type: string; payload?: { code?: string } });
    } catch {
      findings.add('server frame is not JSON', where, data.slice(0, 200));
    }
  }
  return parsed;
}

function send(socket: FuzzSocket, data: string | Uint8Array) {
  socket.ws.send(data);
  stats.frames++;
}

test(
  'WebSocket: bad upgrades are refused with JSON; hostile frames get ERROR or their documented answer, and the limits hold',
  async () => {
    const findings = new Findings();
    const rng = createRng(seed + 1);
    const host = `127.0.0.1:${main.port}`;
    let counter = 0;
    const freshUser = (): FuzzUser => {
      const id = `fuzz-ws-${++counter}`;
      return { id, token: userToken(secrets.main.jwt, id, nowSeconds + 3600), owns: [] };
    };

    // 1. Upgrade requests, raw so that cookies, Origin and handshake headers are exactly as written.
    const upgrade = async (c: UpgradeCase) => {
      const key = Buffer.from(Array.from({ length: 16 }, () => rng.int(256))).toString('base64');
      const handshake = c.handshake ?? 'normal';
      const lines = [`${c.method ?? 'GET'} ${c.target} HTTP/1.1`, `Host: ${host}`];
      if (handshake !== 'none') lines.push('Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Version: ${handshake === 'version-8' ? 8 : 13}`);
      if (handshake === 'normal' || handshake === 'version-8') lines.push(`Sec-WebSocket-Key: ${key}`);
      if (handshake === 'none') lines.push('Connection: close');
      for (const [name, value] of c.headers) lines.push(`${name}: ${value}`);
      const conn = await RawConnection.open(main.port);
      conn.write(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'));
      const answer = await conn.until(() => parseResponse(conn.buffer, false, conn.closed) ?? (conn.closed ? ('closed' as const) : undefined), hangMs);
      conn.end();
      stats.upgrades++;
      stats.requests++;
      const example = `${c.method ?? 'GET'} ${c.target.slice(0, 80)} [${c.label}]`;
      if (typeof answer === 'string') return findings.add(answer === 'timeout' ? 'upgrade hangs' : 'upgrade closed without an answer', 'upgrade', example);
      count(answer.status);
      for (const problem of judge(answer, { method: c.method ?? 'GET', expect: c.expect, sent: c.sent })) findings.add(problem, 'upgrade', `${example} → ${answer.status} ${answer.body.slice(0, 200)}`);
    };
    await pool(upgradeCases(ctx, host), 8, upgrade);

    // 2. Scripted sockets: junk, wrong types, prototype keys, bad AUTH and RESUME, binary frames; at most 9 that count.
    await pool(Array.from({ length: 60 }, freshUser), 16, async (user) => {
      const socket = await openSocket(`${main.wsUrl}?token=${user.token}`);
      const script = socketScript(rng, ctx, user);
      for (const frame of script) send(socket, frame.data);
      const tally = (kinds: string[]) => script.filter((frame) => kinds.includes(frame.kind)).length;
      const expected = script.length;
      await socket.settle(() => socket.frames.length - 1 >= expected);
      send(socket, '{"type":"PING"}');
      const alive = await socket.settle(() => socket.frames.length - 1 >= expected + 1);
      const sent = script.flatMap((frame) => (typeof frame.data === 'string' ? [frame.data.slice(0, 3000)] : [])).filter((data) => data.includes('"AUTH"')).map((data) => (JSON.parse(data) as { payload?: { token?: string } }).payload?.token ?? '');
      const frames = serverFrames(socket, findings, 'scripted socket', sent).slice(1);
      const of = (type: string, code?: string) => frames.filter((frame) => frame.type === type && (code === undefined || frame.payload?.code === code)).length;
      const where = 'scripted socket';
      const example = `${script.map((frame) => frame.kind).join(',')} → ${frames.map((frame) => frame.type + (frame.payload?.code ? `:${frame.payload.code}` : '')).join(',')}`;
      if (socket.close) findings.add(`closed (${socket.close.code}) after fewer than 10 bad frames`, where, example);
      else if (!alive) findings.add('no answer to every frame within 5 s', where, example);
      const binaryAnswers = tally(['binary-ping']);
      const errors = of('ERROR', 'invalid_frame');
      const pongs = of('PONG');
      if (errors < tally(['bad']) || errors > tally(['bad']) + binaryAnswers) findings.add('ERROR invalid_frame count differs from bad frames sent', where, example);
      if (pongs + errors !== tally(['ping', 'bad']) + binaryAnswers + 1) findings.add('PONG count differs from PINGs sent', where, example);
      if (of('ERROR', 'invalid_token') !== tally(['bad-auth'])) findings.add('bad AUTH not answered with ERROR invalid_token', where, example);
      if (of('AUTHED') !== tally(['good-auth'])) findings.add('good AUTH not answered with AUTHED', where, example);
      // One catch-up runs at a time per socket: a RESUME sent while one runs is answered with ERROR resume_in_progress.
      if (of('RESYNC') + of('RESUMED') + of('ERROR', 'resume_in_progress') !== tally(['resume'])) findings.add('RESUME not answered with RESYNC, RESUMED or resume_in_progress', where, example);
      // These users own nothing: a NOTIFICATION here is someone else's row coming through RESUME.
      if (of('NOTIFICATION') > 0) findings.add("another user's notification delivered", where, example);
      socket.ws.close();
    });

    // 3. Bursts: a PING flood is answered up to the user's budget (5 × USER_RATE_LIMIT at once), then refused with
    // 9 ERROR rate_limited and closed with 1008; a flood of junk closes the socket with 1008 after 9 ERRORs.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        const socket = await openSocket(`${main.wsUrl}?token=${freshUser().token}`);
        for (let i = 0; i < 300; i++) send(socket, '{"type":"PING"}');
        await socket.settle(() => socket.close !== undefined, 8000);
        const answered = serverFrames(socket, findings, 'PING flood', []);
        const pongs = answered.filter((frame) => frame.type === 'PONG').length;
        const refused = answered.filter((frame) => frame.type === 'ERROR' && frame.payload?.code === 'rate_limited').length;
        const budget = main.config.limits.userPerSecond * 5;
        if (pongs < budget || pongs >= 300 || refused !== 9 || socket.close?.code !== 1008) {
          findings.add('PING flood not answered up to the budget, then refused and closed', 'PING flood', `${pongs}/300 PONGs, ${refused} rate_limited, close ${JSON.stringify(socket.close)}`);
        }
      }),
    );
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const socket = await openSocket(`${main.wsUrl}?token=${freshUser().token}`);
        for (let j = 0; j < 40; j++) send(socket, badFrames[(i * 40 + j) % badFrames.length]!);
        await socket.settle(() => false, 3000);
        const errors = serverFrames(socket, findings, 'junk flood', []).filter((frame) => frame.type === 'ERROR').length;
        if (socket.close?.code !== 1008 || errors !== 9) findings.add('junk flood not closed with 1008 after 9 ERRORs', 'junk flood', `${errors} ERRORs, close ${JSON.stringify(socket.close)}`);
      }),
    );

    // 4. Frame size: 4 KiB is the last size answered; one byte more closes with 1009.
    const sizes: { label: string; data: string | Uint8Array; answer: 'PONG' | 'ERROR' | 1009 }[] = [
      { label: '4095-byte PING', data: sizedFrame(4095, true), answer: 'PONG' },
      { label: '4096-byte PING', data: sizedFrame(4096, true), answer: 'PONG' },
      { label: '4096-byte junk', data: sizedFrame(4096, false), answer: 'ERROR' },
      { label: '4096-byte junk, 2-byte characters', data: sizedFrame(4096, false, true), answer: 'ERROR' },
      { label: '4097-byte PING', data: sizedFrame(4097, true), answer: 1009 },
      { label: '4097-byte junk, 2-byte characters', data: sizedFrame(4097, false, true), answer: 1009 },
      { label: '4097-byte binary', data: new TextEncoder().encode(sizedFrame(4097, true)), answer: 1009 },
      { label: '64 KiB', data: sizedFrame(64 * 1024, false), answer: 1009 },
      { label: '1 MiB', data: sizedFrame(1024 * 1024, true), answer: 1009 },
    ];
    await Promise.all(
      sizes.map(async ({ label, data, answer }) => {
        const socket = await openSocket(`${main.wsUrl}?token=${freshUser().token}`);
        send(socket, data);
        await socket.settle(() => socket.frames.length > 1, 3000);
        const [frame] = serverFrames(socket, findings, 'frame size', []).slice(1);
        const got = socket.close ? socket.close.code : frame?.type ?? 'nothing';
        if (got !== answer) findings.add(`${label}: got ${got}, contract says ${answer}`, 'frame size', label);
        socket.ws.close();
      }),
    );

    // 5. AUTH carrying another user's token closes with 4003.
    {
      const socket = await openSocket(`${main.wsUrl}?token=${freshUser().token}`);
      send(socket, JSON.stringify({ type: 'AUTH', payload: { token: freshUser().token } }));
      await socket.settle(() => false, 2000);
      if (socket.close?.code !== 4003) findings.add('AUTH for another user not closed with 4003', 'AUTH', JSON.stringify(socket.close));
    }

    // 6. WebSocket protocol violations, on a raw socket after a valid handshake.
    await pool(rawFrameCases(), 8, async ({ label, frames, allowed, answers = 1 }) => {
      const user = freshUser();
      const outcome = await rawWebSocket(main.port, host, `/ws?token=${user.token}`, frames, answers);
      stats.frames += frames.length;
      if (!allowed.includes(outcome.result)) findings.add(`${label}: ${outcome.result}, allowed ${allowed.join('/')}`, 'WebSocket protocol', label);
      for (const text of outcome.texts) {
        const leak = leaks(text, [user.token], true);
        if (leak) findings.add(`frame carries ${leak}`, 'WebSocket protocol', label);
      }
    });

    // 7. The per-user socket cap: the 21st upgrade is 429 too_many_connections.
    {
      const user = freshUser();
      const sockets = await Promise.all(Array.from({ length: 20 }, () => openSocket(`${main.wsUrl}?token=${user.token}`)));
      await upgrade({ label: '21st socket of one user', target: `/ws?token=${user.token}`, headers: [], expect: [429], sent: [user.token] });
      for (const socket of sockets) socket.ws.close();
    }
    expect(findings.report()).toEqual([]);
  },
  60_000,
);

// ───────────────────────────── raw WebSocket frames ─────────────────────────────

/** A client frame, masked unless told otherwise; `length` lies about the payload size when given. */
function wsFrame(opcode: number, payload: Uint8Array | string, { fin = true, rsv = 0, masked = true, length }: { fin?: boolean; rsv?: number; masked?: boolean; length?: bigint } = {}): Uint8Array {
  const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  const size = length ?? BigInt(data.length);
  const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (size < 126n) head.push(maskBit | Number(size));
  else if (size < 65536n) head.push(maskBit | 126, Number(size >> 8n) & 0xff, Number(size) & 0xff);
  else head.push(maskBit | 127, ...Array.from({ length: 8 }, (_, i) => Number((size >> BigInt(8 * (7 - i))) & 0xffn)));
  const mask = [0x12, 0x34, 0x56, 0x78];
  const body = masked ? data.map((byte, i) => byte ^ mask[i % 4]!) : data;
  return new Uint8Array([...head, ...(masked ? mask : []), ...body]);
}

const closePayload = (code: number, reason: number[] = []) => new Uint8Array([code >> 8, code & 0xff, ...reason]);

/** Frames that break RFC 6455; each must end in a close (or a documented answer), never a crash. */
function rawFrameCases(): { label: string; frames: Uint8Array[]; allowed: string[]; answers?: number }[] {
  const closeCodes = ['close 1002', 'close 1007', 'close 1008', 'close 1009', 'dropped'];
  return [
    { label: 'text frame with invalid UTF-8', frames: [wsFrame(1, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))], allowed: [...closeCodes, 'ERROR'] },
    { label: 'text frame with an encoded surrogate', frames: [wsFrame(1, new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]))], allowed: [...closeCodes, 'ERROR'] },
    { label: 'unmasked client frame', frames: [wsFrame(1, '{"type":"PING"}', { masked: false })], allowed: [...closeCodes, 'PONG'] },
    { label: 'reserved opcode 3', frames: [wsFrame(3, 'x')], allowed: closeCodes },
    { label: 'reserved control opcode 11', frames: [wsFrame(11, 'x')], allowed: closeCodes },
    { label: 'RSV1 without an extension', frames: [wsFrame(1, '{"type":"PING"}', { rsv: 4 })], allowed: closeCodes },
    { label: 'ping with a 126-byte payload', frames: [wsFrame(9, 'p'.repeat(126))], allowed: closeCodes },
    { label: 'fragmented ping', frames: [wsFrame(9, 'p', { fin: false })], allowed: closeCodes },
    { label: 'continuation without a start', frames: [wsFrame(0, '{"type":"PING"}')], allowed: closeCodes },
    { label: 'text inside a fragmented message', frames: [wsFrame(1, '{"type":', { fin: false }), wsFrame(1, '"PING"}')], allowed: closeCodes },
    { label: 'fragmented PING', frames: [wsFrame(1, '{"type":', { fin: false }), wsFrame(0, '"PING"}')], allowed: ['PONG'] },
    { label: 'fragmented message over 4 KiB', frames: [wsFrame(1, 'x'.repeat(3000), { fin: false }), wsFrame(0, 'x'.repeat(3000))], allowed: closeCodes },
    { label: 'length field of 2^62', frames: [wsFrame(1, 'x', { length: 1n << 62n })], allowed: closeCodes },
    { label: 'close with code 999', frames: [wsFrame(8, closePayload(999))], allowed: [...closeCodes, 'close 1000'] },
    { label: 'close with a 1-byte payload', frames: [wsFrame(8, new Uint8Array([3]))], allowed: [...closeCodes, 'close 1000'] },
    { label: 'close with an invalid UTF-8 reason', frames: [wsFrame(8, closePayload(1000, [0xff, 0xfe]))], allowed: [...closeCodes, 'close 1000'] },
    { label: 'protocol ping', frames: [wsFrame(9, 'hello')], allowed: ['pong hello'] },
    { label: 'unsolicited pong, then PING', frames: [wsFrame(10, 'x'), wsFrame(1, '{"type":"PING"}')], allowed: ['PONG'] },
    { label: 'empty text frame', frames: [wsFrame(1, '')], allowed: ['ERROR'] },
    { label: '100 PINGs in one write', frames: Array.from({ length: 100 }, () => wsFrame(1, '{"type":"PING"}')), allowed: ['PONG'], answers: 100 },
  ];
}

/** Opens a socket by hand, writes `frames` in one go, and reports how the server reacted. */
async function rawWebSocket(port: number, host: string, target: string, frames: Uint8Array[], answers: number): Promise<{ result: string; texts: string[] }> {
  const conn = await RawConnection.open(port);
  const key = Buffer.from('fuzz-fuzz-fuzz-!').toString('base64');
  conn.write(Buffer.from(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`, 'latin1'));
  const head = await conn.until(() => parseResponse(conn.buffer, false, conn.closed) ?? (conn.closed ? ('closed' as const) : undefined), hangMs);
  if (typeof head === 'string' || head.status !== 101) {
    conn.end();
    return { result: `no upgrade (${typeof head === 'string' ? head : head.status})`, texts: [] };
  }
  const headLength = conn.buffer.length - head.rest.length;
  const readFrames = () => {
    const out: { opcode: number; payload: Buffer }[] = [];
    let at = headLength;
    for (;;) {
      if (conn.buffer.length < at + 2) break;
      const opcode = conn.buffer[at]! & 0x0f;
      let size = conn.buffer[at + 1]! & 0x7f;
      let start = at + 2;
      if (size === 126) {
        if (conn.buffer.length < at + 4) break;
        size = conn.buffer.readUInt16BE(at + 2);
        start = at + 4;
      } else if (size === 127) {
        if (conn.buffer.length < at + 10) break;
        size = Number(conn.buffer.readBigUInt64BE(at + 2));
        start = at + 10;
      }
      if (conn.buffer.length < start + size) break;
      out.push({ opcode, payload: conn.buffer.subarray(start, start + size) });
      at = start + size;
    }
    return out;
  };
  // READY first, then the hostile frames.
  await conn.until(() => (readFrames().length > 0 ? true : undefined), 3000);
  for (const frame of frames) conn.write(frame);
  const outcome = await conn.until(() => {
    const received = readFrames().slice(1);
    const close = received.find((frame) => frame.opcode === 8);
    if (close) return close.payload.length >= 2 ? `close ${close.payload.readUInt16BE(0)}` : 'close (no code)';
    const pong = received.find((frame) => frame.opcode === 10);
    if (pong) return `pong ${pong.payload.toString('utf8')}`;
    const texts = received.filter((frame) => frame.opcode === 1).map((frame) => JSON.parse(frame.payload.toString('utf8')) as { type: string });
    if (texts.length > 0 && (texts.length >= answers || texts.some((t) => t.type === 'ERROR'))) return texts.length === answers ? texts[0]!.type : `${texts.length} answers`;
    if (conn.closed) return 'dropped';
    return undefined;
  }, 3000);
  const texts = readFrames().filter((frame) => frame.opcode === 1).map((frame) => frame.payload.toString('utf8'));
  conn.end();
  return { result: outcome === 'timeout' ? 'no reaction within 3 s' : outcome, texts };
}

// ───────────────────────────── afterwards ─────────────────────────────

test(
  'afterwards: healthy, still delivering, and the store holds exactly what was acknowledged',
  async () => {
    const problems: string[] = [];
    const healthz = await fetch(`${main.url}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toEqual({ status: 'ok' });
    const readyz = await fetch(`${main.url}/readyz`);
    expect(readyz.status).toBe(200);
    expect(((await readyz.json()) as { status: string }).status).toBe('ready');

    // A normal ingest still reaches a socket.
    const userId = 'fuzz-after';
    const socket = await connect(main.wsUrl, userToken(secrets.main.jwt, userId, nowSeconds + 3600));
    const response = await main.ingest({ user_id: userId, type: 'after', message: 'still working' });
    expect(response.status).toBe(201);
    const { ids } = (await response.json()) as { ids: string[] };
    acknowledged.main.set(ids[0]!, { user_id: userId, type: 'after', message: 'still working' });
    const frame = await socket.next((f) => f.type === 'NOTIFICATION');
    expect(frame.payload).toMatchObject({ id: ids[0], type: 'after', message: 'still working' });
    socket.close();

    // The server runs in this process: a `__proto__` key that reached a merge would show here.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    for (const [name, belfry] of [['main', main], ['demo', demo]] as const) {
      const rows = await belfry.sql<{ id: string; user_id: string; type: string; message: string }[]>`
        select id::text as id, user_id, type, message
        from notifications
      `;
      const expected = acknowledged[name];
      const stored = new Map(rows.map((row) => [row.id, row]));
      for (const row of rows) {
        const sent = expected.get(row.id);
        if (!sent) problems.push(`${name}: row ${row.id} (user ${JSON.stringify(row.user_id.slice(0, 40))}) was never acknowledged`);
        else if (sent.user_id !== row.user_id || sent.type !== row.type || sent.message !== row.message) {
          const diff = (['user_id', 'type', 'message'] as const).filter((field) => sent[field] !== row[field]).map((field) => `${field} sent ${JSON.stringify(sent[field].slice(0, 40))}, stored ${JSON.stringify(row[field].slice(0, 40))}`);
          problems.push(`${name}: row ${row.id} stored differently than acknowledged: ${diff.join('; ')}`);
        }
      }
      for (const id of expected.keys()) if (!stored.has(id)) problems.push(`${name}: acknowledged row ${id} is missing`);
      const [outbox] = await belfry.sql<[{ exists: boolean }]>`select to_regclass('notification_outbox') is not null as exists`;
      if (outbox.exists) {
        const orphans = await belfry.sql<{ id: string }[]>`
          select distinct unnest(notification_ids)::text as id
          from notification_outbox
        `;
        for (const { id } of orphans) if (!expected.has(id)) problems.push(`${name}: outbox names ${id}, which was never acknowledged`);
      }
    }
    const byKind = new Map<string, string[]>();
    for (const problem of problems) {
      const kind = problem.replace(/row \d+/, 'row N').replace(/: .*$/, '');
      byKind.set(kind, [...(byKind.get(kind) ?? []), problem]);
    }
    const statuses = Object.fromEntries([...stats.statuses].sort(([a], [b]) => String(a).localeCompare(String(b))));
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    console.log(`fuzz seed 0x${seed.toString(16)}: ${stats.requests} HTTP requests (${stats.upgrades} upgrades), ${stats.frames} WebSocket frames in ${seconds} s; statuses ${JSON.stringify(statuses)}`);
    expect(stats.requests + stats.frames).toBeGreaterThanOrEqual(2000);
    expect([...byKind].map(([, list]) => `${list[0]}${list.length > 1 ? ` (and ${list.length - 1} more like it)` : ''}`)).toEqual([]);
  },
  30_000,
);
