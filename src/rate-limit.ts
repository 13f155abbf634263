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
  stop(): void;
}

interface Bucket {
  tokens: number;
  updated: number;
}

/** Creates a limiter with one bucket per key. */
export function createLimiter({ perSecond, burst }: RateLimit, now = () => performance.now()): Limiter {
  const buckets = new Map<string, Bucket>();
  // Full buckets carry no information: drop them now and then so memory follows active keys only.
  const prune = setInterval(() => {
    const at = now();
    for (const [key, bucket] of buckets) if (bucket.tokens + ((at - bucket.updated) / 1000) * perSecond >= burst) buckets.delete(key);
  }, 60_000);
  prune.unref();
  return {
    take(key) {
      const at = now();
      const bucket = buckets.get(key) ?? { tokens: burst, updated: at };
      bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.updated) / 1000) * perSecond);
      bucket.updated = at;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
    },
    stop: () => clearInterval(prune),
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
