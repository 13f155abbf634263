/**
 * Rate limiting: a token bucket per key (ingest key, user id), in process memory. Over the limit: 429 with
 * Retry-After on REST, an ERROR frame on a socket. Per process: with WORKERS=N or N machines the effective limit is
 * N times higher, which is the price of needing no shared store on the hot path.
 */
import { createMiddleware } from 'hono/factory';
import type { Context } from 'hono';
import { AppError } from './errors.ts';

export interface RateLimit {
  /** Requests per second, sustained. */
  perSecond: number;
  /** Requests allowed at once after a quiet period. */
  burst: number;
}

export interface Limiter {
  /** Takes one token from `key`'s bucket: 0 when allowed, else the whole seconds to wait. */
  take(key: string): number;
  /** Keys held now (those whose budget is not full again, give or take one prune interval). */
  size(): number;
  stop(): void;
}

/**
 * Creates a limiter with one budget per key: a token bucket of `burst` tokens refilled at `perSecond`, kept as one
 * number per key (the generic cell rate algorithm): the time at which the key's bucket is full again. A number in a
 * Map costs no object of its own: at 100,000 users sending the panel's heartbeat that is the whole difference
 * between the limiter being noticeable in memory per socket or not.
 */
export function createLimiter({ perSecond, burst }: RateLimit, now = () => performance.now(), pruneEveryMs = 10_000): Limiter {
  // fullAt: the bucket is full again at this time (ms); a take adds `interval`, and a take is allowed while fullAt
  // stays within `(burst - 1) * interval` of now, i.e. while at least one token is left.
  const fullAt = new Map<string, number>();
  const interval = 1000 / perSecond;
  const tolerance = (burst - 1) * interval;
  let prunedAt = now();
  // Full buckets carry no information: dropped now and then, on the way through take (no timer to stop).
  const prune = (at: number) => {
    prunedAt = at;
    for (const [key, full] of fullAt) if (full <= at) fullAt.delete(key);
  };
  return {
    take(key) {
      const at = now();
      if (at - prunedAt >= pruneEveryMs) prune(at);
      const full = Math.max(fullAt.get(key) ?? at, at);
      if (full - at > tolerance) return Math.max(1, Math.ceil((full - tolerance - at) / 1000));
      fullAt.set(key, full + interval);
      return 0;
    },
    size: () => fullAt.size,
    stop: () => {},
  };
}

/**
 * The one budget of a user's requests: REST calls and client frames on every socket of the user draw from it, so a
 * socket is no way around the REST limit (USER_RATE_LIMIT per second, bursts of five times that).
 */
export function createUserLimiter(perSecond: number, now?: () => number): Limiter {
  return createLimiter({ perSecond, burst: perSecond * 5 }, now);
}

/** Hono middleware: 429 rate_limited with Retry-After when `keyOf(c)`'s bucket is empty. */
export function rateLimit(limit: RateLimit | Limiter, keyOf: (c: Context) => string) {
  const limiter = 'take' in limit ? limit : createLimiter(limit);
  return createMiddleware(async (c, next) => {
    const wait = limiter.take(keyOf(c));
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      throw new AppError(429, 'rate_limited', `Too many requests; retry after ${wait} s`);
    }
    await next();
  });
}
