/** Shapes the panel shares between its modules: notifications, views and WebSocket frames. */

/** One notification as the REST API returns it (ids are decimal strings, times ISO-8601 UTC). */
export interface BelfryNotification {
  id: string;
  type: string;
  message: string;
  created_at: string;
  read_at: string | null;
}

/** Which notifications the panel lists: only unread ones, or read ones too. */
export type Filter = 'unread' | 'all';

/** One page of `GET /api/notifications`; `nextCursor` comes from the `X-Next-Cursor` header. */
export interface Page {
  items: BelfryNotification[];
  nextCursor: string | null;
}

/** Server → client frames the panel understands; unknown types are dropped by the parser. */
export type Frame =
  | { type: 'READY'; payload: { user_id: string } }
  | { type: 'NOTIFICATION'; payload: Omit<BelfryNotification, 'read_at'> }
  | { type: 'READ'; payload: { ids: string[]; unread_count: number } }
  | { type: 'RESYNC'; payload: { reason: string } }
  | { type: 'PONG' }
  | { type: 'ERROR'; payload: { code: string; message: string } }
  | { type: 'AUTHED'; payload: { exp: number } }
  | { type: 'ERASED'; payload: Record<string, never> }
  | { type: 'RECONNECT'; payload: { after_ms: number } };

/** Connection state as the user sees it; 'expired': the token ran out and the panel cannot get another. */
export type SocketStatus = 'connecting' | 'open' | 'reconnecting' | 'closed' | 'expired';
