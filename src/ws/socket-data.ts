/**
 * What each socket carries: set at the upgrade, read by the gateway (its topic) and the session (its frames).
 * Kept small: it is paid once per connection, and connections are the density limit.
 */
import type { ServerWebSocket } from 'bun';

export interface SocketData {
  userId: string;
  /** Token expiry, seconds since the epoch; moved by an in-band AUTH. */
  exp: number;
  /** Frames refused so far (malformed, or over the rate limit); the socket closes at maxBadFrames. */
  badFrames: number;
  /** A RESUME is being answered: another one is refused until it ends. */
  resuming: boolean;
  /** The socket closed: work started for it stops before its next query and sends nothing. */
  closed: boolean;
}

export type BelfrySocket = ServerWebSocket<SocketData>;

/** The Bun topic of one user's sockets. */
export const userTopic = (userId: string) => `u:${userId}`;

/** The state of a socket that has just passed the upgrade checks. */
export function socketData(userId: string, exp: number): SocketData {
  return { userId, exp, badFrames: 0, resuming: false, closed: false };
}
