/**
 * Rate limiting: a token bucket per key (ingest key, user id), in process memory. Over the limit: 429 with
 * Retry-After. Per process: with WORKERS=N or N machines the effective limit is N times higher, which is the
 * price of needing no shared store on the hot path.
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

interface Bucket {
  tokens: number;
  updated: number;
}

/** Creates a limiter; `take(key)` returns 0 when allowed, else the seconds to wait. */
export function createLimiter({ perSecond, burst }: RateLimit, now = () => performance.now()) {
  const buckets = new Map<string, Bucket>();
  // Full buckets carry no information: drop them now and then so memory follows active keys only.
  const prune = setInterval(() => {
    const at = now();
    for (const [key, bucket] of buckets) if (bucket.tokens + ((at - bucket.updated) / 1000) * perSecond >= burst) buckets.delete(key);
  }, 60_000);
  prune.unref();
  return {
    take(key: string): number {
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

/** Hono middleware: 429 rate_limited with Retry-After when `keyOf(c)`'s bucket is empty. */
export function rateLimit(limit: RateLimit, keyOf: (c: Context) => string) {
  const limiter = createLimiter(limit);
  return createMiddleware(async (c, next) => {
    const wait = limiter.take(keyOf(c));
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      throw new AppError(429, 'rate_limited', `Too many requests; retry after ${wait} s`);
    }
    await next();
  });
}
