/**
 * Hono middleware for the kinds of caller: end users (JWT), services holding a key (ingest, admin), and scrapers.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../errors.ts';
import { invalidToken, type VerifyToken } from './tokens.ts';

export type UserEnv = { Variables: { userId: string } };

/** Reads `Authorization: Bearer <value>`; undefined when absent or of another scheme. */
export function bearer(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer ([^\s]+)$/i);
  return match?.[1];
}

/** Requires a valid user JWT and puts its `sub` on the context as `userId`. */
export function requireUser(verify: VerifyToken) {
  return createMiddleware<UserEnv>(async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token) throw invalidToken();
    const { userId } = await verify(token);
    c.set('userId', userId);
    await next();
  });
}

/** Constant-time equality of two strings of any length (hashing first equalises the lengths). */
export function safeEqual(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Requires `Authorization: Bearer <key>`. An unset key (say, no ADMIN_API_KEY outside production) lets nobody in:
 * the routes stay closed rather than falling back to another key.
 */
export function requireKey(key: string | undefined, name: string) {
  return createMiddleware(async (c, next) => {
    const presented = bearer(c.req.header('authorization'));
    if (!key || !presented || !safeEqual(presented, key)) {
      throw new AppError(401, 'unauthorized', `Missing or invalid ${name}`);
    }
    await next();
  });
}

/** True when the request came over loopback (the peer address as Bun saw it, not a forwarded header). */
function fromLoopback(c: Context): boolean {
  // c.env is the Bun server (server.ts passes it to app.fetch); without one there is no peer to trust.
  const server = c.env as { requestIP?: (request: Request) => { address: string } | null } | undefined;
  const address = server?.requestIP?.(c.req.raw)?.address ?? '';
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * /metrics: with METRICS_TOKEN, a bearer token from anywhere; without it, loopback peers only (a scraper on the
 * same host or pod). Behind a proxy every peer is the proxy, so set the token there.
 */
export function requireMetricsAccess(token: string | undefined) {
  return createMiddleware(async (c, next) => {
    if (token) {
      const presented = bearer(c.req.header('authorization'));
      if (!presented || !safeEqual(presented, token)) throw new AppError(401, 'unauthorized', 'Missing or invalid metrics token');
    } else if (!fromLoopback(c)) {
      throw new AppError(403, 'forbidden', 'Metrics answer loopback only; set METRICS_TOKEN to scrape from elsewhere');
    }
    await next();
  });
}
