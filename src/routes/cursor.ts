/**
 * The page cursor: an opaque base64url of the last row's (created_at, id). Opaque so clients never build one.
 */
import { z } from 'zod';
import { isNotificationId, type PageCursor } from '../db/notifications.ts';

// Cursors are made from stored rows: a time in this range and a real int8 id, or it is not one of ours.
const decodedSchema = z.tuple([
  z.iso.datetime().refine((value) => {
    const year = new Date(value).getUTCFullYear();
    return year >= 1970 && year <= 9999;
  }),
  z.string().refine(isNotificationId),
]);

/** Encodes a cursor for the X-Next-Cursor header. */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

/** Decodes a cursor; undefined when it is not one of ours. */
export function decodeCursor(value: string): PageCursor | undefined {
  try {
    const parsed = decodedSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    if (!parsed.success) return undefined;
    return { createdAt: new Date(parsed.data[0]), id: parsed.data[1] };
  } catch {
    return undefined;
  }
}
