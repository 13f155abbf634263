/**
 * /api/preferences: what the signed-in user muted. A muted category or type is still stored and listed under
 * `status=all`, but kept out of the inbox, the badge and the live push. A change reaches every process's gateway
 * over the bus, and the user's tabs are told to refetch (the inbox and the count changed with it).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Sql } from '../db/client.ts';
import { getMutes, putMutes, type Mutes } from '../db/preferences.ts';
import type { Bus } from '../bus/messages.ts';
import type { Logger } from '../log.ts';
import { requireUser, type UserEnv } from '../auth/middleware.ts';
import type { VerifyToken } from '../auth/tokens.ts';
import { categorySchema, typeSchema } from '../ingest/event-schema.ts';
import { jsonBody, methodNotAllowed } from './input.ts';
import { rateLimit, type Limiter } from '../rate-limit.ts';

export interface PreferenceRoutesDeps {
  sql: Sql;
  bus: Bus;
  log: Logger;
  verifyToken: VerifyToken;
  /** The user's request budget, shared with their sockets' frames and the notification routes. */
  userLimiter: Limiter;
}

/** Most keys in each muted list: enough for a settings page, small enough to check at every fan-out. */
export const maxMuted = 100;

// Repeats are folded rather than refused: the list is a set, and a settings page may send one twice.
const keyList = <S extends z.ZodType<string>>(key: S) => z.array(key).max(maxMuted).transform((keys) => [...new Set(keys)]);

export const preferencesBody = z.strictObject({
  muted: z.strictObject({ categories: keyList(categorySchema), types: keyList(typeSchema) }),
});

export const preferencesJson = z.strictObject({ muted: z.strictObject({ categories: z.array(z.string()), types: z.array(z.string()) }) });

const toJson = (muted: Mutes): z.output<typeof preferencesJson> => ({ muted: { categories: muted.categories, types: muted.types } });

/** The routes, to mount at /api/preferences. */
export function preferenceRoutes({ sql, bus, log, verifyToken, userLimiter }: PreferenceRoutesDeps) {
  return new Hono<UserEnv>()
    .use(requireUser(verifyToken))
    .use(rateLimit(userLimiter, (c) => c.var.userId))
    .get('/', async (c) => c.json(toJson(await getMutes(sql, c.var.userId))))
    .put('/', async (c) => {
      const { muted } = await jsonBody(c, preferencesBody);
      await putMutes(sql, c.var.userId, muted);
      await bus.publish({ kind: 'preferences', user_id: c.var.userId, muted }).catch((error: unknown) => {
        log.warn({ err: (error as Error)?.message }, 'preferences: publish failed; gateways reload mutes on resync');
      });
      return c.json(toJson(muted));
    })
    .all('/', methodNotAllowed);
}
