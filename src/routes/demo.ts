/**
 * Demo mode (embedded default with a generated secret, never in production): a ready session for the
 * demo user, and a way for that user to send themselves a notification from the demo page.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { requireUser, type UserEnv } from '../auth/middleware.ts';
import { signToken, type VerifyToken } from '../auth/tokens.ts';
import { eventSchema, type ingestResultJson } from '../ingest/event-schema.ts';
import type { Ingestor } from '../ingest/ingestor.ts';
import { jsonBody, methodNotAllowed } from './input.ts';

export const demoUserId = 'demo';

export interface DemoDeps {
  jwtSecret: string;
  /** Written into the demo token when the server holds tokens to an audience. */
  audience: string | undefined;
  /** Lifetime of the demo token. */
  tokenTtlSeconds: number;
  verifyToken: VerifyToken;
  ingestor: Ingestor;
}

export const demoBody = z.strictObject({
  type: eventSchema.shape.type.optional(),
  message: eventSchema.shape.message,
});

export const demoSessionJson = z.strictObject({ user_id: z.string(), token: z.string() });

/** The routes, to mount at /api/demo. */
export function demoRoutes({ jwtSecret, audience, tokenTtlSeconds, verifyToken, ingestor }: DemoDeps) {
  return new Hono<UserEnv>()
    .get('/session', async (c) => {
      const session: z.output<typeof demoSessionJson> = { user_id: demoUserId, token: await signToken(jwtSecret, demoUserId, tokenTtlSeconds, audience) };
      return c.json(session);
    })
    .all('/session', methodNotAllowed)
    .post('/notifications', requireUser(verifyToken), async (c) => {
      const { type = 'demo', message } = await jsonBody(c, demoBody);
      const ids = await ingestor.ingest([{ user_id: c.var.userId, type, message }]);
      return c.json({ ids } satisfies z.output<typeof ingestResultJson>, 201);
    })
    .all('/notifications', methodNotAllowed);
}
