/**
 * Hono middleware for the two kinds of caller: end users (JWT) and ingesting services (API key).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
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

/** Requires `Authorization: Bearer <ingest key>`. */
export function requireIngestKey(key: string) {
  return createMiddleware(async (c, next) => {
    const presented = bearer(c.req.header('authorization'));
    if (!presented || !safeEqual(presented, key)) {
      throw new AppError(401, 'unauthorized', 'Missing or invalid ingest key');
    }
    await next();
  });
}
