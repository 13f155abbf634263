/** Shapes the panel shares between its modules: notifications, views and WebSocket frames. */
import type { NotificationPayload, ServerFrame } from '../../src/ws/frames.ts';

export type { Action, Actor, Change, ClientFrame, CloseCode, NotificationPayload } from '../../src/ws/frames.ts';

/**
 * One notification as the REST API returns it (ids are decimal strings, times ISO-8601 UTC). `seen_at` and
 * `archived_at` come only from REST, and only from servers that know them.
 */
export interface BelfryNotification extends NotificationPayload {
  read_at: string | null;
  seen_at?: string | null;
  archived_at?: string | null;
}

/** Which notifications the panel lists: unread ones, read ones too, or the archived ones. */
export type Filter = 'unread' | 'all' | 'archived';

/** One page of `GET /api/notifications`; `nextCursor` comes from the `X-Next-Cursor` header. */
export interface Page {
  items: BelfryNotification[];
  nextCursor: string | null;
}

/** `GET/PUT /api/preferences`: categories and types the user muted. */
export interface Preferences {
  muted: { categories: string[]; types: string[] };
}

/** Server → client frames the panel acts on (the wire type, from the server's own module); the parser drops the rest. */
export type Frame = Exclude<ServerFrame, { type: 'RESUMED' }>;

/** Connection state as the user sees it; 'expired': the token ran out and the panel cannot get another. */
export type SocketStatus = 'connecting' | 'open' | 'reconnecting' | 'closed' | 'expired';
