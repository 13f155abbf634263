/**
 * The backend client on Bun against a real belfry (Postgres, Redis): ids, batches and their failures, every kind
 * of error, and user tokens the server accepts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { decodeJwt } from 'jose';
import { startBelfry, type Belfry } from '../helpers/belfry.ts';
import { connect } from '../helpers/ws-client.ts';
import { BelfryBatchError, BelfryError, BelfryNetworkError, createBelfryClient, type BelfryClient, type BelfryEvent } from '../../src/client/index.ts';
import { mintUserToken } from '../../src/client/token.ts';

let belfry: Belfry;
let client: BelfryClient;
beforeAll(async () => {
  belfry = await startBelfry();
  client = createBelfryClient({ url: belfry.url, ingestKey: belfry.ingestKey });
});
afterAll(() => belfry.stop());

/** Resolves with what the promise rejected with, and fails the test if it resolved. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const fakeFetch = (response: () => Response) => async () => response();

describe('send', () => {
  test('one event: the committed id, stored and pushed to the user', async () => {
    const token = await mintUserToken({ secret: belfry.jwtSecret, userId: 'ada', ttlSeconds: 60 });
    const socket = await connect(belfry.wsUrl, token);
    const { ids } = await client.send({ user_id: 'ada', type: 'comment', message: 'from the client' });
    expect(ids).toHaveLength(1);
    const [row] = await belfry.sql`select user_id, message from notifications where id = ${ids[0]!}`;
    expect(row).toEqual({ user_id: 'ada', message: 'from the client' });
    const frame = await socket.next((frame) => frame.type === 'NOTIFICATION');
    expect(frame.payload).toMatchObject({ id: ids[0], type: 'comment', message: 'from the client' });
    socket.close();
  });

  test('a base URL with a trailing slash works', async () => {
    const slashed = createBelfryClient({ url: `${belfry.url}/`, ingestKey: belfry.ingestKey });
    expect((await slashed.send({ user_id: 'ada', type: 't', message: 'm' })).ids).toHaveLength(1);
  });
});

describe('sendBatch', () => {
  const events = (count: number, prefix: string): BelfryEvent[] =>
    Array.from({ length: count }, (_, index) => ({ user_id: `batch-${index % 7}`, type: 'bulk', message: `${prefix} ${index}`, idempotency_key: `${prefix}-${index}` }));

  test('2,500 events in chunks: ids in input order, and the same ids again for the same keys', async () => {
    const batch = events(2500, 'order');
    const { ids } = await client.sendBatch(batch);
    expect(ids).toHaveLength(2500);
    expect(new Set(ids).size).toBe(2500);
    const rows = await belfry.sql<{ id: string; message: string; idempotency_key: string }[]>`
      select id, message, idempotency_key from notifications where id in ${belfry.sql(ids)}`;
    const byId = new Map(rows.map((row) => [row.id, row]));
    ids.forEach((id, index) => expect(byId.get(id)).toEqual({ id, message: `order ${index}`, idempotency_key: `order-${index}` }));

    expect((await client.sendBatch(batch)).ids).toEqual(ids);
    const [{ count }] = await belfry.sql<[{ count: number }]>`select count(*)::int as count from notifications where idempotency_key like 'order-%'`;
    expect(count).toBe(2500);
  });

  test('events for many users: one id per recipient, and requests cut at 1000 rows, not 1000 events', async () => {
    const many = Array.from({ length: 999 }, (_, i) => `fan-${i}`);
    const sent: number[] = [];
    const counting = createBelfryClient({
      url: belfry.url,
      ingestKey: belfry.ingestKey,
      fetch: async (input, init) => {
        const body = JSON.parse(String(init?.body)) as { events: { user_ids?: string[] }[] };
        sent.push(body.events.reduce((rows, event) => rows + (event.user_ids?.length ?? 1), 0));
        return fetch(input, init);
      },
    });
    const { ids } = await counting.sendBatch([
      { user_ids: many, type: 'announce', message: 'to 999', idempotency_key: 'fan-1' },
      { user_id: 'fan-single', type: 'announce', message: 'to one' },
      { user_ids: ['fan-a', 'fan-b'], type: 'announce', message: 'to two' },
    ]);
    expect(sent).toEqual([1000, 2]);
    expect(ids).toHaveLength(1001 + 1);
    const rows = await belfry.sql<{ id: string; user_id: string }[]>`select id::text, user_id from notifications where id = any(${ids}::bigint[])`;
    const userOf = new Map(rows.map((row) => [row.id, row.user_id]));
    expect(ids.map((id) => userOf.get(id))).toEqual([...many, 'fan-single', 'fan-a', 'fan-b']);
    const single = await client.send({ user_ids: ['fan-x', 'fan-y'], type: 'announce', message: 'send' });
    expect(single.ids).toHaveLength(2);
  });

  test('no events: no request, no ids', async () => {
    let calls = 0;
    const counting = createBelfryClient({ url: belfry.url, ingestKey: belfry.ingestKey, fetch: (input, init) => (calls++, fetch(input, init)) });
    expect(await counting.sendBatch([])).toEqual({ ids: [] });
    expect(calls).toBe(0);
  });

  test('a later chunk fails: earlier ids committed, the failed index, details named in the whole list; resending from there is safe', async () => {
    const batch = events(2500, 'partial');
    batch[1700] = { ...batch[1700]!, user_id: '' };
    const error = await rejection(client.sendBatch(batch));
    expect(error).toBeInstanceOf(BelfryBatchError);
    const { committedIds, failedIndex, cause } = error as BelfryBatchError;
    expect(committedIds).toHaveLength(1000);
    expect(failedIndex).toBe(1000);
    expect(cause).toBeInstanceOf(BelfryError);
    expect(cause).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(new Set((cause as BelfryError).details?.map((detail) => detail.path))).toEqual(new Set(['events.1700.user_id']));
    const [{ count }] = await belfry.sql<[{ count: number }]>`select count(*)::int as count from notifications where idempotency_key like 'partial-%'`;
    expect(count).toBe(1000);

    batch[1700] = { ...batch[1700]!, user_id: 'fixed' };
    const rest = await client.sendBatch(batch.slice(failedIndex));
    const all = await client.sendBatch(batch);
    expect(all.ids).toEqual([...committedIds, ...rest.ids]);
  });

  test('a failure in the first chunk is a BelfryBatchError with nothing committed', async () => {
    const wrongKey = createBelfryClient({ url: belfry.url, ingestKey: 'not-the-key' });
    const error = (await rejection(wrongKey.sendBatch(events(3, 'first')))) as BelfryBatchError;
    expect(error).toBeInstanceOf(BelfryBatchError);
    expect(error).toMatchObject({ committedIds: [], failedIndex: 0 });
    expect(error.cause).toMatchObject({ status: 401, code: 'unauthorized' });
  });
});

describe('errors', () => {
  test('a wrong ingest key → 401 unauthorized', async () => {
    const wrongKey = createBelfryClient({ url: belfry.url, ingestKey: 'not-the-key' });
    const error = await rejection(wrongKey.send({ user_id: 'ada', type: 't', message: 'm' }));
    expect(error).toBeInstanceOf(BelfryError);
    expect(error).toMatchObject({ name: 'BelfryError', status: 401, code: 'unauthorized', details: undefined, retryAfter: undefined });
  });

  test('an invalid event → 400 validation_failed with the server details', async () => {
    const error = await rejection(client.send({ user_id: 'ada', type: 'x'.repeat(65), message: '' }));
    expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((error as BelfryError).details?.map((detail) => detail.path).sort()).toEqual(['message', 'type']);
  });

  test('over the rate limit → 429 with retryAfter in seconds', async () => {
    const limited = await startBelfry({ bus: 'local', env: { INGEST_RATE_LIMIT: '1' } });
    try {
      const tight = createBelfryClient({ url: limited.url, ingestKey: limited.ingestKey });
      const sends = Array.from({ length: 5 }, () => tight.send({ user_id: 'ada', type: 't', message: 'm' }).catch((error: unknown) => error));
      const limitedError = (await Promise.all(sends)).find((result) => result instanceof BelfryError);
      expect(limitedError).toMatchObject({ status: 429, code: 'rate_limited' });
      expect((limitedError as BelfryError).retryAfter).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.stop();
    }
  });

  test('503 with an HTTP-date Retry-After → retryAfter in seconds', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    const body = JSON.stringify({ error: { code: 'unavailable', message: 'down' } });
    const down = createBelfryClient({ url: belfry.url, ingestKey: 'k', fetch: fakeFetch(() => new Response(body, { status: 503, headers: { 'retry-after': at } })) });
    const error = (await rejection(down.send({ user_id: 'ada', type: 't', message: 'm' }))) as BelfryError;
    expect(error).toMatchObject({ status: 503, code: 'unavailable', message: 'down' });
    expect(error.retryAfter).toBeGreaterThanOrEqual(28);
    expect(error.retryAfter).toBeLessThanOrEqual(30);
  });

  test('a non-JSON error body (a proxy page) is still a BelfryError', async () => {
    const proxy = createBelfryClient({
      url: belfry.url,
      ingestKey: 'k',
      fetch: fakeFetch(() => new Response('<html><body>502 Bad Gateway</body></html>', { status: 502, headers: { 'content-type': 'text/html' } })),
    });
    const error = await rejection(proxy.send({ user_id: 'ada', type: 't', message: 'm' }));
    expect(error).toBeInstanceOf(BelfryError);
    expect(error).toMatchObject({ status: 502, code: 'unexpected_response' });
    expect((error as BelfryError).message).toContain('502 Bad Gateway');
  });

  test('a 2xx without the ids is not taken for success', async () => {
    const odd = createBelfryClient({ url: belfry.url, ingestKey: 'k', fetch: fakeFetch(() => Response.json({ ids: [] }, { status: 201 })) });
    expect(await rejection(odd.send({ user_id: 'ada', type: 't', message: 'm' }))).toMatchObject({ status: 201, code: 'unexpected_response' });
  });

  test('nothing listening → BelfryNetworkError, not timed out', async () => {
    const closed = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() });
    const url = `http://127.0.0.1:${closed.port}`;
    await closed.stop(true);
    const error = await rejection(createBelfryClient({ url, ingestKey: 'k' }).send({ user_id: 'ada', type: 't', message: 'm' }));
    expect(error).toBeInstanceOf(BelfryNetworkError);
    expect(error).toMatchObject({ timedOut: false });
  });

  test('a server that does not answer in timeoutMs → BelfryNetworkError, timed out', async () => {
    const stalled = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => Bun.sleep(5000).then(() => new Response()) });
    try {
      const started = performance.now();
      const slow = createBelfryClient({ url: `http://127.0.0.1:${stalled.port}`, ingestKey: 'k', timeoutMs: 200 });
      const error = await rejection(slow.send({ user_id: 'ada', type: 't', message: 'm' }));
      expect(error).toBeInstanceOf(BelfryNetworkError);
      expect(error).toMatchObject({ timedOut: true });
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      await stalled.stop(true);
    }
  });
});

describe('mintUserToken', () => {
  test('belfry accepts it over REST, with sub, iat, exp and the optional aud and iss', async () => {
    const token = await mintUserToken({ secret: belfry.jwtSecret, userId: 'grace', ttlSeconds: 300, audience: 'belfry', issuer: 'my-app' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'grace', aud: 'belfry', iss: 'my-app' });
    expect(claims.exp! - claims.iat!).toBe(300);
    const response = await fetch(`${belfry.url}/api/notifications/unread-count`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
  });

  test('signed with another secret → 401', async () => {
    const token = await mintUserToken({ secret: 'another-secret-of-at-least-thirty-two-chars', userId: 'grace', ttlSeconds: 60 });
    const response = await fetch(`${belfry.url}/api/notifications/unread-count`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(401);
  });

  test('a lifetime that is not a positive whole number is refused before signing', async () => {
    for (const ttlSeconds of [0, -5, 1.5, Number.NaN]) {
      expect(await rejection(mintUserToken({ secret: belfry.jwtSecret, userId: 'grace', ttlSeconds }))).toBeInstanceOf(RangeError);
    }
  });
});

test('an event JSON cannot encode is the caller’s TypeError, not a network error', async () => {
  const cyclic: Record<string, unknown> = { user_id: 'ada', type: 't', message: 'm' };
  cyclic.self = cyclic;
  expect(await rejection(client.send(cyclic as unknown as BelfryEvent))).toBeInstanceOf(TypeError);
  expect(await rejection(client.sendBatch([cyclic as unknown as BelfryEvent]))).toBeInstanceOf(TypeError);
});
