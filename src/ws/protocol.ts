/**
 * The WebSocket protocol: frames the server sends, and the zod schema for frames clients may send.
 * Types are stable; see docs/api.md#websocket.
 */
import { z } from 'zod';
import type { WireNotification } from '../db/notification-wire.ts';

/** The only frames a client may send. Anything else is answered with ERROR. */
export const clientFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('PING') }),
  /** In-band token refresh: a new token for the same user moves the socket's expiry. */
  z.strictObject({ type: z.literal('AUTH'), payload: z.strictObject({ token: z.string().min(1).max(4096) }) }),
  /** "I have everything up to this notification": the server sends what the socket missed, or RESYNC. */
  z.strictObject({ type: z.literal('RESUME'), payload: z.strictObject({ after: z.string().min(1).max(32) }) }),
]);

export type ClientFrame = z.infer<typeof clientFrameSchema>;

export type { WireNotification as NotificationPayload } from '../db/notification-wire.ts';

/** A change of state announced by a CHANGED frame (READ frames keep announcing reads). */
export type Change = 'unread' | 'seen' | 'archived' | 'unarchived' | 'deleted';

const optionalPayloadKeys = ['title', 'url', 'actor', 'actions', 'category', 'data'] as const;

/** Frames the server sends, built in one place so their shape cannot drift. */
export const frames = {
  ready: (userId: string) => JSON.stringify({ type: 'READY', payload: { user_id: userId } }),
  // Keys picked one by one: a bus item also carries user_id, which the frame must not. Optional content only when set,
  // so an event with the original fields gets exactly the original frame.
  notification: (payload: WireNotification) => {
    const out: Record<string, unknown> = { id: payload.id, type: payload.type, message: payload.message, created_at: payload.created_at };
    for (const key of optionalPayloadKeys) if (payload[key] !== undefined) out[key] = payload[key];
    return JSON.stringify({ type: 'NOTIFICATION', payload: out });
  },
  changed: (change: Change, ids: readonly string[], unreadCount: number) =>
    JSON.stringify({ type: 'CHANGED', payload: { change, ids, unread_count: unreadCount } }),
  read: (ids: readonly string[], unreadCount: number) =>
    JSON.stringify({ type: 'READ', payload: { ids, unread_count: unreadCount } }),
  resync: (reason: string) => JSON.stringify({ type: 'RESYNC', payload: { reason } }),
  resumed: (count: number, unreadCount: number) => JSON.stringify({ type: 'RESUMED', payload: { count, unread_count: unreadCount } }),
  authed: (exp: number) => JSON.stringify({ type: 'AUTHED', payload: { exp } }),
  erased: () => JSON.stringify({ type: 'ERASED', payload: {} }),
  reconnect: (afterMs: number) => JSON.stringify({ type: 'RECONNECT', payload: { after_ms: afterMs } }),
  pong: () => JSON.stringify({ type: 'PONG' }),
  error: (code: string, message: string) => JSON.stringify({ type: 'ERROR', payload: { code, message } }),
};

/** Close codes belfry uses; see docs/api.md#close-codes. */
export const closeCodes = {
  policyViolation: 1008,
  tooLarge: 1009,
  serviceRestart: 1012,
  /** The token's `exp` passed without an in-band refresh. */
  tokenExpired: 4001,
  /** AUTH carried a token for another user. */
  userMismatch: 4003,
  /** The socket stopped reading and its send buffer passed the cap: reconnect and resync. */
  slowConsumer: 4008,
} as const;

/** A client frame is a small control message; larger ones are refused by the server (close 1009). */
export const maxClientFrameBytes = 4096;

/** Bad frames tolerated before the socket is closed with 1008. */
export const maxBadFrames = 10;

/**
 * Bytes a socket may have waiting to be sent before it counts as a slow consumer: past the soft cap the next sweep
 * closes it with 4008 (a clean close frame, after the backlog); past the hard cap Bun drops it at once (1006).
 */
export const bufferCaps = { softBytes: 1024 * 1024, hardBytes: 4 * 1024 * 1024 };
