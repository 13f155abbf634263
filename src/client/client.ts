/**
 * createBelfryClient: POST /api/events from a backend, with typed answers and typed errors.
 * Web-standard APIs only (fetch, AbortSignal), so the same code runs on Bun and Node 20 with no dependencies.
 */
import { BelfryBatchError, BelfryError, BelfryNetworkError } from './errors.ts';
import type { BelfryErrorCode, BelfryEvent, BelfryFanoutEvent, ErrorDetail, IngestResult } from './types.ts';

/** The server's batch limit (docs/api.md, Limits). */
export const maxBatchSize = 1000;

/** The part of `fetch` the client uses, so a wrapper or a test double need not be a full `fetch`. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface BelfryClientOptions {
  /** belfry's base URL; a path prefix (`https://example.com/belfry`) is kept. */
  url: string;
  /** The server's INGEST_API_KEY. */
  ingestKey: string;
  fetch?: FetchLike;
  /** Per request, including reading the answer. */
  timeoutMs?: number;
}

export interface BelfryClient {
  /** Ingests one event (for one user, or for each of `user_ids`); resolves once it is committed. */
  send(event: BelfryEvent | BelfryFanoutEvent): Promise<IngestResult>;
  /**
   * Ingests any number of events in requests of at most 1000 rows (an event for N users is N rows), in order; ids
   * come back flat, one per row in order of expansion. A server or network failure is a BelfryBatchError.
   */
  sendBatch(events: readonly (BelfryEvent | BelfryFanoutEvent)[]): Promise<IngestResult>;
}

/** Creates a client for one belfry server and ingest key. */
export function createBelfryClient({ url, ingestKey, fetch: fetchImpl = globalThis.fetch, timeoutMs = 10_000 }: BelfryClientOptions): BelfryClient {
  const endpoint = `${url.replace(/\/+$/, '')}/api/events`;
  const headers = { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json', accept: 'application/json' };

  async function post(body: unknown, expected: number): Promise<string[]> {
    // Outside the try: an event JSON cannot encode (a BigInt, a cycle) is the caller's bug, not a network failure.
    const payload = JSON.stringify(body);
    let response: Response;
    let text: string;
    try {
      // One signal for the request and the body: a server that stalls mid-answer times out too.
      const signal = AbortSignal.timeout(timeoutMs);
      response = await fetchImpl(endpoint, { method: 'POST', headers, body: payload, signal });
      text = await response.text();
    } catch (error) {
      const timedOut = (error as { name?: unknown } | null)?.name === 'TimeoutError';
      const reason = timedOut ? `no answer within ${timeoutMs} ms` : String((error as Error | null)?.message ?? error);
      throw new BelfryNetworkError(`POST ${endpoint} failed: ${reason}`, { cause: error, timedOut });
    }
    if (!response.ok) throw errorFrom(response, text);
    const ids = idsFrom(text);
    // Ids are matched to events by position, so a short or malformed list must not pass as success.
    if (!ids || ids.length !== expected) {
      throw new BelfryError({ status: response.status, code: 'unexpected_response', message: `expected ${expected} ids, got: ${snippet(text)}` });
    }
    return ids;
  }

  return {
    async send(event) {
      return { ids: await post(event, rowsOf(event)) };
    },

    async sendBatch(events) {
      const ids: string[] = [];
      // Sequential on purpose: a failure then has one index, and everything before it is known to be committed.
      for (let start = 0; start < events.length; ) {
        const end = chunkEnd(events, start);
        const chunk = events.slice(start, end);
        const rows = chunk.reduce((sum, event) => sum + rowsOf(event), 0);
        try {
          ids.push(...(await post({ events: chunk }, rows)));
        } catch (error) {
          if (error instanceof BelfryError) throw new BelfryBatchError(ids, start, rebase(error, start));
          if (error instanceof BelfryNetworkError) throw new BelfryBatchError(ids, start, error);
          throw error;
        }
        start = end;
      }
      return { ids };
    },
  };
}

/** Rows an event creates on the server: one per recipient. */
const rowsOf = (event: BelfryEvent | BelfryFanoutEvent) => ('user_ids' in event ? event.user_ids.length : 1);

/** Where the chunk starting at `start` ends: as many events as fit in 1000 rows (always at least one). */
function chunkEnd(events: readonly (BelfryEvent | BelfryFanoutEvent)[], start: number): number {
  let rows = 0;
  let end = start;
  while (end < events.length && end - start < maxBatchSize) {
    const next = rowsOf(events[end]!);
    if (end > start && rows + next > maxBatchSize) break;
    rows += next;
    end++;
  }
  return end;
}

function idsFrom(text: string): string[] | undefined {
  const body = parse(text) as { ids?: unknown } | undefined;
  const ids = body?.ids;
  return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? ids : undefined;
}

/** Builds the BelfryError for a non-2xx answer; a body that is not belfry's JSON (a proxy's HTML page) still gives one. */
function errorFrom(response: Response, text: string): BelfryError {
  const retryAfter = response.status === 429 || response.status === 503 ? retryAfterSeconds(response.headers.get('retry-after')) : undefined;
  const error = (parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    const details = Array.isArray(error.details) ? (error.details as ErrorDetail[]) : undefined;
    return new BelfryError({ status: response.status, code: error.code as BelfryErrorCode, message: error.message, details, retryAfter });
  }
  const message = `HTTP ${response.status}${text ? `: ${snippet(text)}` : ''}`;
  return new BelfryError({ status: response.status, code: 'unexpected_response', message, retryAfter });
}

/** `Retry-After` is seconds or an HTTP date; both become whole seconds from now. */
function retryAfterSeconds(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** Detail paths name the event inside the chunk (`events.3.…`); the caller sent one list, so name it there. */
function rebase(error: BelfryError, offset: number): BelfryError {
  if (!error.details || offset === 0) return error;
  const details = error.details.map((detail) => ({
    ...detail,
    path: detail.path.replace(/^events\.(\d+)/, (_, index: string) => `events.${Number(index) + offset}`),
  }));
  return new BelfryError({ status: error.status, code: error.code, message: error.message, details, retryAfter: error.retryAfter });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const snippet = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);
