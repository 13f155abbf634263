/**
 * /api/notifications: the signed-in user's own notifications: list, unread count, read one, read all.
 * Reads that change something are announced on the bus so every tab of the user, on every process, follows.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Sql } from '../db/client.ts';
import { countUnread, listNotifications, markAllRead, markRead, type NotificationRow } from '../db/notifications.ts';
import type { Bus } from '../bus/messages.ts';
import type { Logger } from '../log.ts';
import { requireUser, type UserEnv } from '../auth/middleware.ts';
import type { VerifyToken } from '../auth/tokens.ts';
import { AppError } from '../errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { jsonBody, methodNotAllowed, query } from './input.ts';
import { rateLimit } from '../rate-limit.ts';
import { notificationIdJson } from '../ingest/event-schema.ts';

export interface NotificationRoutesDeps {
  sql: Sql;
  bus: Bus;
  log: Logger;
  verifyToken: VerifyToken;
  rateLimits: { userPerSecond: number };
}

export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  status: z.enum(['unread', 'all']).default('unread'),
  cursor: z
    .string()
    .max(200)
    .transform((value, ctx) => decodeCursor(value) ?? (ctx.addIssue({ code: 'custom', message: 'is not a valid cursor' }), z.NEVER))
    .optional(),
});

export const readBody = z.strictObject({ id: z.string().min(1).max(32) });

export const notificationJson = z.strictObject({
  id: notificationIdJson,
  type: z.string(),
  message: z.string(),
  created_at: z.iso.datetime(),
  read_at: z.iso.datetime().nullable(),
});

export const unreadCountJson = z.strictObject({ count: z.int().nonnegative() });

const toJson = (row: NotificationRow): z.output<typeof notificationJson> => ({
  id: row.id,
  type: row.type,
  message: row.message,
  created_at: row.created_at.toISOString(),
  read_at: row.read_at?.toISOString() ?? null,
});

/** The routes, to mount at /api/notifications. */
export function notificationRoutes({ sql, bus, log, verifyToken, rateLimits }: NotificationRoutesDeps) {
  const perSecond = rateLimits.userPerSecond;
  const announce = (userId: string, ids: string[], unreadCount: number) =>
    bus.publish({ kind: 'read', user_id: userId, ids, unread_count: unreadCount }).catch((error: unknown) => {
      log.warn({ err: (error as Error)?.message }, 'read: publish failed; other tabs catch up on resync');
    });

  return new Hono<UserEnv>()
    .use(requireUser(verifyToken))
    .use(rateLimit({ perSecond, burst: perSecond * 5 }, (c) => c.var.userId))
    .get('/', async (c) => {
      const { limit, status, cursor } = query(c, listQuery);
      const page = await listNotifications(sql, c.var.userId, { limit, unreadOnly: status === 'unread', cursor });
      if (page.next) {
        const next = encodeCursor(page.next);
        const params = new URLSearchParams({ limit: String(limit), status, cursor: next });
        c.header('X-Next-Cursor', next);
        c.header('Link', `</api/notifications?${params}>; rel="next"`);
      }
      return c.json(page.rows.map(toJson));
    })
    .all('/', methodNotAllowed)
    .get('/unread-count', async (c) => c.json({ count: await countUnread(sql, c.var.userId) } satisfies z.output<typeof unreadCountJson>))
    .all('/unread-count', methodNotAllowed)
    .post('/read', async (c) => {
      const { id } = await jsonBody(c, readBody);
      const result = await markRead(sql, c.var.userId, id);
      if (!result.found) throw new AppError(404, 'not_found', 'No such notification');
      if (result.changed) void announce(c.var.userId, [id], result.unreadCount);
      return c.body(null, 204);
    })
    .all('/read', methodNotAllowed)
    .post('/read-all', async (c) => {
      const { ids, unreadCount } = await markAllRead(sql, c.var.userId);
      if (ids.length > 0) void announce(c.var.userId, ids, unreadCount);
      return c.body(null, 204);
    })
    .all('/read-all', methodNotAllowed);
}
