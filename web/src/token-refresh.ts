/**
 * Keeps the socket's token fresh without reconnecting: remembers the expiry of the token each connection
 * opened with, asks the host for a new token before it passes and sends it in-band (`AUTH`); the server's
 * `AUTHED` carries the new expiry. A refresh that comes too late is covered by the socket: on 4001 it
 * reconnects at once with a fresh token.
 */
import { readClaims } from './jwt.ts';
import type { ReconnectingSocket } from './socket.ts';
import { browserTimers, type Timers } from './timers.ts';

/** Milliseconds until a token expiring at `exp` (s) is due: 80% of its remaining life or 60 s before its end, whichever is sooner, never before half-way. */
export function refreshDelay(exp: number, nowMs: number): number {
  const left = exp * 1000 - nowMs;
  // Without the half-way floor a token shorter than a minute would be refreshed at once, again and again.
  return Math.max(left / 2, Math.min(left * 0.8, left - 60_000));
}

/** Options for {@link createTokenRefresh}. */
export interface TokenRefreshOptions {
  timers?: Timers;
  now?: () => number;
  /** The shortest wait between two refreshes, so a token near its end is not asked for in a tight loop. */
  minDelayMs?: number;
}

/** The socket's token source and its refresher. */
export interface TokenRefresh {
  /** A token for a new connection; its expiry is remembered for when that connection is READY. */
  connectToken(): Promise<string>;
  /** Follows the socket's frames and status, refreshing while it is open; returns a function that stops. */
  follow(socket: Pick<ReconnectingSocket, 'onFrame' | 'onStatus' | 'send'>): () => void;
}

/** Creates the refresher; `getToken` is the host's token source (called for every connection and refresh). */
export function createTokenRefresh(
  getToken: () => Promise<string>,
  { timers = browserTimers, now = Date.now, minDelayMs = 500 }: TokenRefreshOptions = {},
): TokenRefresh {
  let connecting: string | null = null; // the token the socket is opening with
  let current: string | null = null; // the token the open socket is authenticated with
  let offered: string | null = null; // sent in AUTH, not yet confirmed
  let epoch = 0; // bumped whenever the socket's connection changes, to drop refreshes that outlived it
  let timer: unknown = null;
  let socket: Pick<ReconnectingSocket, 'send'> | null = null;

  const cancel = () => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
  };
  const schedule = (exp: number | null) => {
    cancel();
    // An unreadable token (no exp) is left to the 4001 reconnect; so is one with too little time left.
    if (exp === null || exp * 1000 - now() <= minDelayMs) return;
    timer = timers.setTimeout(() => void refresh(), Math.max(minDelayMs, refreshDelay(exp, now())));
  };

  async function refresh() {
    timer = null;
    const mine = epoch;
    let token: string | null = null;
    try {
      token = await getToken();
    } catch {
      // The host could not give one now: ask again later (the schedule halves the wait each time).
    }
    if (mine !== epoch) return;
    // An unchanged token (a fixed one, or the host's cache) would move nothing: only ask again later.
    if (token === null || token === current || !socket?.send({ type: 'AUTH', payload: { token } })) {
      return schedule(readClaims(current).exp);
    }
    offered = token;
  }

  return {
    async connectToken() {
      connecting = await getToken();
      return connecting;
    },
    follow(target) {
      socket = target;
      const offFrame = target.onFrame((frame) => {
        if (frame.type === 'READY') {
          current = connecting;
          schedule(readClaims(current).exp);
        } else if (frame.type === 'AUTHED') {
          current = offered ?? current;
          offered = null;
          schedule(frame.payload.exp);
        } else if (frame.type === 'ERROR' && frame.payload.code === 'invalid_token') {
          // The server kept the old expiry: try again (the host may have a better token by then).
          offered = null;
          schedule(readClaims(current).exp);
        }
      });
      const offStatus = target.onStatus((status) => {
        if (status === 'open') return;
        epoch += 1;
        current = offered = null;
        cancel();
      });
      return () => {
        offFrame();
        offStatus();
        epoch += 1;
        socket = null;
        cancel();
      };
    },
  };
}
