/**
 * The WebSocket protocol: frames the server sends, and the zod schema for frames clients may send.
 * Types are stable; see docs/api.md#websocket.
 */
import { z } from 'zod';
import type { Change, ClientFrame as WireClientFrame, CloseCode, NotificationPayload, ServerFrame } from './frames.ts';

export type { Change, NotificationPayload } from './frames.ts';

/** The only frames a client may send. Anything else is answered with ERROR. */
export const clientFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('PING') }),
  /** In-band token refresh: a new token for the same user moves the socket's expiry. */
  z.strictObject({ type: z.literal('AUTH'), payload: z.strictObject({ token: z.string().min(1).max(4096) }) }),
  /** "I have everything up to this notification": the server sends what the socket missed, or RESYNC. */
  z.strictObject({ type: z.literal('RESUME'), payload: z.strictObject({ after: z.string().min(1).max(32) }) }),
]) satisfies z.ZodType<WireClientFrame>;

export type ClientFrame = z.infer<typeof clientFrameSchema>;

/** Every frame goes through the shared wire type, so the panel's parser and these builders agree. */
const encode = (frame: ServerFrame) => JSON.stringify(frame);

const optionalPayloadKeys = ['title', 'url', 'actor', 'actions', 'category', 'data'] as const;

/** Frames the server sends, built in one place so their shape cannot drift. */
export const frames = {
  ready: (userId: string) => encode({ type: 'READY', payload: { user_id: userId } }),
  // Keys picked one by one: a bus item also carries user_id, which the frame must not. Optional content only when set,
  // so an event with the original fields gets exactly the original frame.
  notification: (payload: NotificationPayload) => {
    const out: NotificationPayload = { id: payload.id, type: payload.type, message: payload.message, created_at: payload.created_at };
    for (const key of optionalPayloadKeys) if (payload[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = payload[key];
    return encode({ type: 'NOTIFICATION', payload: out });
  },
  changed: (change: Exclude<Change, 'read'>, ids: readonly string[], unreadCount: number) =>
    encode({ type: 'CHANGED', payload: { change, ids, unread_count: unreadCount } }),
  read: (ids: readonly string[], unreadCount: number) =>
    encode({ type: 'READ', payload: { ids, unread_count: unreadCount } }),
  resync: (reason: string) => encode({ type: 'RESYNC', payload: { reason } }),
  resumed: (count: number, unreadCount: number) => encode({ type: 'RESUMED', payload: { count, unread_count: unreadCount } }),
  authed: (exp: number) => encode({ type: 'AUTHED', payload: { exp } }),
  erased: () => encode({ type: 'ERASED', payload: {} }),
  reconnect: (afterMs: number) => encode({ type: 'RECONNECT', payload: { after_ms: afterMs } }),
  pong: () => encode({ type: 'PONG' }),
  error: (code: string, message: string) => encode({ type: 'ERROR', payload: { code, message } }),
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
} as const satisfies Record<string, CloseCode>;

/** A client frame is a small control message; larger ones are refused by the server (close 1009). */
export const maxClientFrameBytes = 4096;

/** Bad frames tolerated before the socket is closed with 1008. */
export const maxBadFrames = 10;

/**
 * Bytes a socket may have waiting to be sent before it counts as a slow consumer: past the soft cap the next sweep
 * closes it with 4008 (a clean close frame, after the backlog); past the hard cap Bun drops it at once (1006).
 */
export const bufferCaps = { softBytes: 1024 * 1024, hardBytes: 4 * 1024 * 1024 };
