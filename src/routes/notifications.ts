/**
 * /api/notifications: the signed-in user's own notifications: list, badge count, and the states the user controls
 * (read, unread, seen, archived, deleted). Every change is announced on the bus so each tab of the user, on every
 * process, follows: reads as READ frames, the other changes as CHANGED frames.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Sql } from '../db/client.ts';
import { changeState, countInbox, listNotifications, markAllRead, markRead, type StateChange } from '../db/notifications.ts';
import { toWireWithState } from '../db/notification-wire.ts';
import type { Bus, BusMessage } from '../bus/messages.ts';
import type { Logger } from '../log.ts';
import { requireUser, type UserEnv } from '../auth/middleware.ts';
import type { VerifyToken } from '../auth/tokens.ts';
import { AppError } from '../errors.ts';
import { categorySchema } from '../ingest/event-schema.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { jsonBody, methodNotAllowed, query } from './input.ts';
import { rateLimit, type Limiter } from '../rate-limit.ts';
import { createKeyedSerializer } from '../keyed-serializer.ts';
import { notificationIdJson } from '../ingest/event-schema.ts';

export interface NotificationRoutesDeps {
  sql: Sql;
  bus: Bus;
  log: Logger;
  verifyToken: VerifyToken;
  /** The user's request budget, shared with their sockets' frames. */
  userLimiter: Limiter;
}

// Not strict: a parameter the server does not know (a cache-buster) is ignored; a known one with a bad value is 400.
export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  status: z.enum(['unread', 'read', 'all', 'archived']).default('unread'),
  category: categorySchema.optional(),
  cursor: z
    .string()
    .max(200)
    .transform((value, ctx) => decodeCursor(value) ?? (ctx.addIssue({ code: 'custom', message: 'is not a valid cursor' }), z.NEVER))
    .optional(),
});

const idSchema = z.string().min(1).max(32);
export const oneId = z.strictObject({ id: idSchema });
/** Up to 100 ids; a repeat counts once. */
export const someIds = z.strictObject({ ids: z.array(idSchema).min(1).max(100) });

const isoTime = z.iso.datetime();
const linkJson = z.string();
/** A notification as the REST list returns it: the wire form plus the user's states; content keys only when set. */
export const notificationJson = z.strictObject({
  id: notificationIdJson,
  type: z.string(),
  message: z.string(),
  created_at: isoTime,
  title: z.string().optional(),
  url: linkJson.optional(),
  actor: z.strictObject({ id: z.string().optional(), name: z.string(), avatar_url: linkJson.optional() }).optional(),
  actions: z.array(z.strictObject({ label: z.string(), url: linkJson })).max(2).optional(),
  category: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  read_at: isoTime.nullable(),
  seen_at: isoTime.nullable(),
  archived_at: isoTime.nullable(),
});

export const unreadCountJson = z.strictObject({ count: z.int().nonnegative(), unseen: z.int().nonnegative() });

const notFound = () => new AppError(404, 'not_found', 'No such notification');

/** The routes, to mount at /api/notifications. */
export function notificationRoutes({ sql, bus, log, verifyToken, userLimiter }: NotificationRoutesDeps) {
  const announce = (message: BusMessage) =>
    bus.publish(message).catch((error: unknown) => {
      log.warn({ err: (error as Error)?.message, kind: message.kind }, 'state change: publish failed; other tabs catch up on resync');
    });
  // A user's changes commit one at a time (a lock in Postgres); their frames must leave in that order too, or a tab
  // would see an older unread count after a newer one. Handlers resume in any order after commit, so the change and
  // its publish are serialised per user on this process (the bus keeps publish order).
  const inOrder = createKeyedSerializer();
  const change = <T>(userId: string, apply: () => Promise<T>, toMessage: (result: T) => BusMessage | undefined) =>
    inOrder(userId, async () => {
      const result = await apply();
      const message = toMessage(result);
      if (message) void announce(message);
      return result;
    });

  /** A handler that applies `change` to the ids of the body and answers 204 (404 when one id is not the caller's). */
  const stateRoute =
    (kind: Exclude<StateChange, 'read'>, ids: (c: Context<UserEnv>) => Promise<string[]>) => async (c: Context<UserEnv>) => {
      const userId = c.var.userId;
      const targets = await ids(c);
      const result = await change(
        userId,
        () => changeState(sql, userId, targets, kind),
        (changed) => (changed.found && changed.ids.length > 0 ? { kind: 'changed', user_id: userId, change: kind, ids: changed.ids, unread_count: changed.unreadCount } : undefined),
      );
      if (!result.found) throw notFound();
      return c.body(null, 204);
    };
  const bodyIds = async (c: Context<UserEnv>) => (await jsonBody(c, someIds)).ids;

  return new Hono<UserEnv>()
    .use(requireUser(verifyToken))
    .use(rateLimit(userLimiter, (c) => c.var.userId))
    .get('/', async (c) => {
      const { limit, status, category, cursor } = query(c, listQuery);
      const page = await listNotifications(sql, c.var.userId, { limit, status, category, cursor });
      if (page.next) {
        const next = encodeCursor(page.next);
        const params = new URLSearchParams({ limit: String(limit), status, ...(category ? { category } : {}), cursor: next });
        c.header('X-Next-Cursor', next);
        c.header('Link', `</api/notifications?${params}>; rel="next"`);
      }
      return c.json(page.rows.map(toWireWithState));
    })
    .all('/', methodNotAllowed)
    .get('/unread-count', async (c) => c.json((await countInbox(sql, c.var.userId)) satisfies z.output<typeof unreadCountJson>))
    .all('/unread-count', methodNotAllowed)
    .post('/read', async (c) => {
      const { id } = await jsonBody(c, oneId);
      const userId = c.var.userId;
      const result = await change(
        userId,
        () => markRead(sql, userId, id),
        (read) => (read.found && read.changed ? { kind: 'read', user_id: userId, ids: [id], unread_count: read.unreadCount } : undefined),
      );
      if (!result.found) throw notFound();
      return c.body(null, 204);
    })
    .all('/read', methodNotAllowed)
    .post('/read-all', async (c) => {
      const userId = c.var.userId;
      await change(
        userId,
        () => markAllRead(sql, userId),
        ({ ids, unreadCount }) => (ids.length > 0 ? { kind: 'read', user_id: userId, ids, unread_count: unreadCount } : undefined),
      );
      return c.body(null, 204);
    })
    .all('/read-all', methodNotAllowed)
    .post('/unread', stateRoute('unread', async (c) => [(await jsonBody(c, oneId)).id]))
    .all('/unread', methodNotAllowed)
    .post('/seen', stateRoute('seen', bodyIds))
    .all('/seen', methodNotAllowed)
    .post('/archive', stateRoute('archived', bodyIds))
    .all('/archive', methodNotAllowed)
    .post('/unarchive', stateRoute('unarchived', bodyIds))
    .all('/unarchive', methodNotAllowed)
    .delete('/:id', stateRoute('deleted', async (c) => [c.req.param('id') ?? '']))
    .all('/:id', methodNotAllowed);
}
