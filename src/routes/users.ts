/**
 * /api/users/:user_id/notifications: personal data requests, for the operator's back office (admin key):
 * erase everything of a user (their open sockets are told to clear), or export it as JSON.
 */
import { Hono, type Context } from 'hono';
import { routePath } from 'hono/route';
import type { Sql } from '../db/client.ts';
import { eraseUser, exportUser } from '../db/notifications.ts';
import type { Bus, BusMessage } from '../bus/messages.ts';
import type { Logger } from '../log.ts';
import { requireKey } from '../auth/middleware.ts';
import { userIdSchema } from '../auth/tokens.ts';
import { AppError, validationError } from '../errors.ts';
import { methodNotAllowed } from './input.ts';

export interface UserRoutesDeps {
  sql: Sql;
  bus: Bus;
  log: Logger;
  /** Bearer key of these routes; unset: they answer 401 to everyone. */
  adminApiKey: string | undefined;
  /** Delivers to this process's sockets at once: an erasure must clear the screen even while the bus is down. */
  deliverLocally: (message: BusMessage) => void;
}

/**
 * The :user_id segment, decoded strictly from the raw path: the router's own decoding keeps a malformed escape
 * (`%`, `%ff`) as literal text, which would erase or export some other id than the one meant.
 */
function userIdParam(c: Context): string {
  const index = routePath(c).split('/').indexOf(':user_id');
  const raw = new URL(c.req.url).pathname.split('/')[index] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new AppError(400, 'validation_failed', 'The user id in the path is invalid', [{ path: 'user_id', message: 'must be validly percent-encoded UTF-8' }]);
  }
  const parsed = userIdSchema.safeParse(decoded);
  if (!parsed.success) throw validationError(parsed.error, 'The user id in the path is invalid');
  return parsed.data;
}

/** The routes, to mount at /api/users. */
export function userRoutes({ sql, bus, log, adminApiKey, deliverLocally }: UserRoutesDeps) {
  return new Hono()
    .use(requireKey(adminApiKey, 'admin key'))
    .delete('/:user_id/notifications', async (c) => {
      const userId = userIdParam(c);
      const deleted = await eraseUser(sql, userId);
      // This process's sockets first, as ingest does: they must not keep showing erased text because the bus is down.
      deliverLocally({ kind: 'erased', user_id: userId });
      await bus.publish({ kind: 'erased', user_id: userId }).catch((error: unknown) => {
        log.warn({ err: (error as Error)?.message }, 'erase: publish failed; other processes\' sockets clear on their next resync');
      });
      // The count only: the user id is personal data and stays out of the logs.
      log.info({ deleted }, 'erased a user');
      return c.json({ deleted });
    })
    .all('/:user_id/notifications', methodNotAllowed)
    .get('/:user_id/notifications/export', async (c) => {
      const userId = userIdParam(c);
      const rows = await exportUser(sql, userId);
      c.header('Content-Disposition', 'attachment; filename="notifications.json"');
      return c.json({
        user_id: userId,
        exported_at: new Date().toISOString(),
        notifications: rows.map((row) => ({
          id: row.id,
          type: row.type,
          message: row.message,
          created_at: row.created_at.toISOString(),
          read_at: row.read_at?.toISOString() ?? null,
          idempotency_key: row.idempotency_key,
        })),
      });
    })
    .all('/:user_id/notifications/export', methodNotAllowed);
}
