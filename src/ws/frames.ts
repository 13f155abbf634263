/**
 * The WebSocket wire format, as types only: the server's frame builders (protocol.ts) and the panel's
 * parser (web/src/protocol.ts) both import these with `import type`, so a change on one side fails the
 * other side's type-check and nothing of this module reaches the panel's bundle.
 * See docs/api.md#websocket.
 */

/** Who caused a notification, as the ingesting service described them. */
export interface Actor {
  id?: string;
  name: string;
  avatar_url?: string;
}

/** A link the notification offers besides opening it (at most two). */
export interface Action {
  label: string;
  url: string;
}

/** A notification as pushed in NOTIFICATION frames; optional keys are present only when set. */
export interface NotificationPayload {
  id: string;
  type: string;
  message: string;
  created_at: string;
  title?: string;
  /** An absolute http(s) URL or a path starting with `/`. */
  url?: string;
  actor?: Actor;
  actions?: Action[];
  /** A short key the host maps to a label (`billing`, `team_invite`). */
  category?: string;
  data?: Record<string, unknown>;
}

/** What a CHANGED frame reports (reads keep their own READ frame). */
export type Change = 'read' | 'unread' | 'seen' | 'archived' | 'unarchived' | 'deleted';

/** Server → client frames. */
export type ServerFrame =
  | { type: 'READY'; payload: { user_id: string } }
  | { type: 'NOTIFICATION'; payload: NotificationPayload }
  | { type: 'READ'; payload: { ids: readonly string[]; unread_count: number } }
  | { type: 'CHANGED'; payload: { change: Change; ids: readonly string[]; unread_count: number } }
  | { type: 'RESYNC'; payload: { reason: string } }
  | { type: 'RESUMED'; payload: { count: number; unread_count: number } }
  | { type: 'AUTHED'; payload: { exp: number } }
  | { type: 'ERASED'; payload: Record<string, never> }
  | { type: 'RECONNECT'; payload: { after_ms: number } }
  | { type: 'PONG' }
  | { type: 'ERROR'; payload: { code: string; message: string } };

/** Client → server frames. */
export type ClientFrame =
  | { type: 'PING' }
  | { type: 'AUTH'; payload: { token: string } }
  | { type: 'RESUME'; payload: { after: string } };

/** Close codes the server uses; see docs/api.md#close-codes. */
export type CloseCode = 1000 | 1006 | 1008 | 1009 | 1012 | 4001 | 4003 | 4008;
