/**
 * RESUME: a reconnecting client names the newest notification it has; the server sends the unread ones it may
 * have missed, oldest first, or RESYNC when the gap is larger than a bound. Never a silent hole.
 */
import type { Sql } from '../db/client.ts';
import { countUnread, unreadAround } from '../db/notifications.ts';
import { toWire } from '../db/notification-wire.ts';
import type { NotificationPayload } from './protocol.ts';

export type CatchUpResult =
  | { kind: 'rows'; rows: NotificationPayload[]; unreadCount: number }
  | { kind: 'resync'; reason: 'unknown_position' | 'gap_too_large' }
  /** The socket went away: nothing more was queried. */
  | { kind: 'aborted' };

/** Catches a user up from `afterId`; `aborted()` is asked before each query, so a closed socket costs none. */
export type CatchUp = (userId: string, afterId: string, aborted: () => boolean) => Promise<CatchUpResult>;

export interface CatchUpOptions {
  /** Most rows sent in one catch-up; more is a RESYNC. */
  maxRows?: number;
  /**
   * Ids are drawn before commit, so a row with a smaller id can commit after a larger one. Looking back this far
   * from the client's newest row covers that; the client drops the ids it already has.
   */
  overlapMs?: number;
}

/** Creates the catch-up function the session calls for RESUME frames. */
export function createCatchUp(sql: Sql, { maxRows = 200, overlapMs = 5000 }: CatchUpOptions = {}): CatchUp {
  return async (userId, afterId, aborted) => {
    if (aborted()) return { kind: 'aborted' };
    const rows = await unreadAround(sql, userId, afterId, { overlapMs, limit: maxRows + 1 });
    if (rows === undefined) return { kind: 'resync', reason: 'unknown_position' };
    if (rows.length > maxRows) return { kind: 'resync', reason: 'gap_too_large' };
    if (aborted()) return { kind: 'aborted' };
    return {
      kind: 'rows',
      rows: rows.map(toWire),
      unreadCount: await countUnread(sql, userId),
    };
  };
}
