/**
 * How a stored notification travels: the one mapping from a row to JSON, shared by the REST list, the export, the
 * bus, catch-up and the push frame, so a field added to the table appears everywhere the same way.
 * Optional content appears only when set: an event with only the original fields keeps the original shape.
 */
import type { Action, Actor, NotificationPayload } from '../ws/frames.ts';

export type { Action, Actor };

/** Optional content of a notification: undefined (or null, as stored) when not set. */
export interface NotificationContent {
  title?: string | null | undefined;
  url?: string | null | undefined;
  actor?: Actor | null | undefined;
  actions?: Action[] | null | undefined;
  category?: string | null | undefined;
  data?: Record<string, unknown> | null | undefined;
}

/** What every notification has, plus its optional content. */
export interface NotificationCore extends NotificationContent {
  id: string;
  type: string;
  message: string;
  created_at: Date;
}

/** The states the user controls, as stored. */
export interface NotificationState {
  read_at: Date | null;
  seen_at: Date | null;
  archived_at: Date | null;
}

/** A notification as pushed and published: the shared wire type (times as ISO strings, optional content only when set). */
export type WireNotification = NotificationPayload;

const optionalKeys = ['title', 'url', 'actor', 'actions', 'category', 'data'] as const;

/** The content columns after the original four, in the order they are written out. */
export const contentKeys: readonly (keyof NotificationContent)[] = optionalKeys;

/** The wire form of a notification (push payload, bus item, base of every REST shape). */
export function toWire(row: NotificationCore): WireNotification {
  const wire: WireNotification = { id: row.id, type: row.type, message: row.message, created_at: row.created_at.toISOString() };
  for (const key of optionalKeys) {
    const value = row[key];
    if (value !== undefined && value !== null) (wire as unknown as Record<string, unknown>)[key] = value;
  }
  return wire;
}

/** The REST form: the wire form plus the user's states (ISO or null). */
export function toWireWithState(row: NotificationCore & NotificationState) {
  return {
    ...toWire(row),
    read_at: row.read_at?.toISOString() ?? null,
    seen_at: row.seen_at?.toISOString() ?? null,
    archived_at: row.archived_at?.toISOString() ?? null,
  };
}
