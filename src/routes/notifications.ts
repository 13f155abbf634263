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
import { rateLimit, type Limiter } from '../rate-limit.ts';

export interface NotificationRoutesDeps {
  sql: Sql;
  bus: Bus;
  log: Logger;
  verifyToken: VerifyToken;
  /** The user's request budget, shared with their sockets' frames. */
  userLimiter: Limiter;
}

const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  status: z.enum(['unread', 'all']).default('unread'),
  cursor: z
    .string()
    .max(200)
    .transform((value, ctx) => decodeCursor(value) ?? (ctx.addIssue({ code: 'custom', message: 'is not a valid cursor' }), z.NEVER))
    .optional(),
});

const readBody = z.strictObject({ id: z.string().min(1).max(32) });

const toJson = (row: NotificationRow) => ({
  id: row.id,
  type: row.type,
  message: row.message,
  created_at: row.created_at.toISOString(),
  read_at: row.read_at?.toISOString() ?? null,
});

/** The routes, to mount at /api/notifications. */
export function notificationRoutes({ sql, bus, log, verifyToken, userLimiter }: NotificationRoutesDeps) {
  const announce = (userId: string, ids: string[], unreadCount: number) =>
    bus.publish({ kind: 'read', user_id: userId, ids, unread_count: unreadCount }).catch((error: unknown) => {
      log.warn({ err: (error as Error)?.message }, 'read: publish failed; other tabs catch up on resync');
    });

  return new Hono<UserEnv>()
    .use(requireUser(verifyToken))
    .use(rateLimit(userLimiter, (c) => c.var.userId))
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
    .get('/unread-count', async (c) => c.json({ count: await countUnread(sql, c.var.userId) }))
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
