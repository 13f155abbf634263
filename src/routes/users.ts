/**
 * /api/users/:user_id/notifications: personal data requests, for the operator's back office (admin key):
 * erase everything of a user, notifications and preferences (their open sockets are told to clear), or export it
 * as JSON.
 */
import { Hono, type Context } from 'hono';
import { routePath } from 'hono/route';
import { z } from 'zod';
import type { Sql } from '../db/client.ts';
import { eraseUser, exportUser } from '../db/notifications.ts';
import { erasePreferences, getMutes } from '../db/preferences.ts';
import { toWireWithState } from '../db/notification-wire.ts';
import type { Bus, BusMessage } from '../bus/messages.ts';
import type { Logger } from '../log.ts';
import { requireKey } from '../auth/middleware.ts';
import { userIdSchema } from '../auth/tokens.ts';
import { AppError, validationError } from '../errors.ts';
import { methodNotAllowed } from './input.ts';
import { notificationJson } from './notifications.ts';
import { preferencesJson } from './preferences.ts';

export interface UserRoutesDeps {
  sql: Sql;
  bus: Bus;
  log: Logger;
  /** Bearer key of these routes; unset: they answer 401 to everyone. */
  adminApiKey: string | undefined;
  /** Delivers to this process's sockets at once: an erasure must clear the screen even while the bus is down. */
  deliverLocally: (message: BusMessage) => void;
}

export const erasedJson = z.strictObject({ deleted: z.int().nonnegative() });
export const exportJson = z.strictObject({
  user_id: z.string(),
  exported_at: z.iso.datetime(),
  notifications: z.array(notificationJson.extend({ deleted_at: z.iso.datetime().nullable(), idempotency_key: z.string().nullable() })),
  preferences: preferencesJson,
});

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
      // One transaction: an erasure that fails half-way must not leave the preferences behind, or the notifications.
      const deleted = await sql.begin(async (tx) => {
        const count = await eraseUser(tx as unknown as Sql, userId);
        await erasePreferences(tx as unknown as Sql, userId);
        return count;
      });
      // This process's sockets first, as ingest does: they must not keep showing erased text because the bus is down.
      deliverLocally({ kind: 'erased', user_id: userId });
      await bus.publish({ kind: 'erased', user_id: userId }).catch((error: unknown) => {
        log.warn({ err: (error as Error)?.message }, 'erase: publish failed; other processes\' sockets clear on their next resync');
      });
      // The count only: the user id is personal data and stays out of the logs.
      log.info({ deleted }, 'erased a user');
      return c.json({ deleted } satisfies z.output<typeof erasedJson>);
    })
    .all('/:user_id/notifications', methodNotAllowed)
    .get('/:user_id/notifications/export', async (c) => {
      const userId = userIdParam(c);
      const [rows, muted] = await Promise.all([exportUser(sql, userId), getMutes(sql, userId)]);
      c.header('Content-Disposition', 'attachment; filename="notifications.json"');
      return c.json({
        user_id: userId,
        exported_at: new Date().toISOString(),
        notifications: rows.map((row) => ({
          ...toWireWithState(row),
          deleted_at: row.deleted_at?.toISOString() ?? null,
          idempotency_key: row.idempotency_key,
        })),
        preferences: { muted: { categories: muted.categories, types: muted.types } },
      } satisfies z.output<typeof exportJson>);
    })
    .all('/:user_id/notifications/export', methodNotAllowed);
}
