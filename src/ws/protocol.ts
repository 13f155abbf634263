/**
 * The WebSocket protocol: frames the server sends, and the zod schema for frames clients may send.
 * Types are stable; see docs/api.md#websocket.
 */
import { z } from 'zod';

/** The only frames a client may send. Anything else is answered with ERROR. */
export const clientFrameSchema = z.discriminatedUnion('type', [z.strictObject({ type: z.literal('PING') })]);

export type ClientFrame = z.infer<typeof clientFrameSchema>;

export interface NotificationPayload {
  id: string;
  type: string;
  message: string;
  created_at: string;
}

/** Frames the server sends, built in one place so their shape cannot drift. */
export const frames = {
  ready: (userId: string) => JSON.stringify({ type: 'READY', payload: { user_id: userId } }),
  notification: (payload: NotificationPayload) =>
    JSON.stringify({
      type: 'NOTIFICATION',
      payload: { id: payload.id, type: payload.type, message: payload.message, created_at: payload.created_at },
    }),
  read: (ids: readonly string[], unreadCount: number) =>
    JSON.stringify({ type: 'READ', payload: { ids, unread_count: unreadCount } }),
  resync: (reason: string) => JSON.stringify({ type: 'RESYNC', payload: { reason } }),
  pong: () => JSON.stringify({ type: 'PONG' }),
  error: (code: string, message: string) => JSON.stringify({ type: 'ERROR', payload: { code, message } }),
};

/** Close codes belfry uses beyond the standard ones. */
export const closeCodes = {
  policyViolation: 1008,
} as const;

/** A client frame is a small control message; larger ones are refused by the server (close 1009). */
export const maxClientFrameBytes = 4096;

/** Bad frames tolerated before the socket is closed with 1008. */
export const maxBadFrames = 10;
