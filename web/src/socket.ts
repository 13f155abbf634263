/**
 * The panel's only WebSocket owner: connects to `/ws`, reconnects with capped full-jitter backoff
 * (or as the server directs: RECONNECT's delay before a restart, at once after an expired token),
 * sends PING heartbeats to notice dead connections (laptop sleep, dropped Wi-Fi) and hands every
 * parsed frame to its listeners. The constructor and timers are injectable so tests need no network.
 */
import { fullJitterDelay } from './backoff.ts';
import { closeAction } from './close-codes.ts';
import { parseFrame } from './protocol.ts';
import { browserTimers, type Timers } from './timers.ts';
import type { ClientFrame, Frame, SocketStatus } from './types.ts';

/** The part of the browser WebSocket the panel uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** Anything constructible like `WebSocket`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Options for {@link createSocket}. */
export interface SocketOptions {
  /** Called before every attempt, so a refreshed token is used on reconnect. */
  url: () => string | Promise<string>;
  WebSocketImpl?: WebSocketConstructor;
  timers?: Timers;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** Whether a fresh token can be had: if so an expired token's close reconnects at once, else the socket stops as 'expired'. */
  renewable?: () => boolean;
  /** The token now belongs to another user (see close-codes.ts): the socket stops, and this starts the panel over. */
  onUserChanged?: () => void;
}

/** A WebSocket that keeps itself connected until stopped. */
export interface ReconnectingSocket {
  start(): void;
  stop(): void;
  /** Retries at once (after `online`), forgetting the backoff. */
  reconnectNow(): void;
  /** Pings now and reconnects if no answer comes (after the tab becomes visible again). */
  check(): void;
  status(): SocketStatus;
  /** Sends a client frame; false when no socket is open. */
  send(frame: ClientFrame): boolean;
  onFrame(listener: (frame: Frame) => void): () => void;
  onStatus(listener: (status: SocketStatus) => void): () => void;
}

const OPEN = 1;
const PING = JSON.stringify({ type: 'PING' } satisfies ClientFrame);

/** Creates a reconnecting socket; nothing happens until `start()`. */
export function createSocket({
  url,
  WebSocketImpl = globalThis.WebSocket as unknown as WebSocketConstructor,
  timers = browserTimers,
  random = Math.random,
  baseDelayMs = 500,
  maxDelayMs = 30_000,
  pingIntervalMs = 25_000,
  pongTimeoutMs = 10_000,
  renewable = () => true,
  onUserChanged,
}: SocketOptions): ReconnectingSocket {
  const frameListeners = new Set<(frame: Frame) => void>();
  const statusListeners = new Set<(status: SocketStatus) => void>();
  let ws: WebSocketLike | null = null;
  let status: SocketStatus = 'closed';
  let running = false;
  let attempt = 0;
  let everFailed = false;
  let directedDelay: number | null = null; // from RECONNECT, for the close that follows it
  let expiredBefore = false; // a 4001 since the last successful refresh
  let generation = 0;
  let retryTimer: unknown = null;
  let pingTimer: unknown = null;
  let pongTimer: unknown = null;

  const setStatus = (next: SocketStatus) => {
    if (next === status) return;
    status = next;
    for (const listener of statusListeners) listener(next);
  };
  const clear = (handle: unknown) => {
    if (handle !== null) timers.clearTimeout(handle);
    return null;
  };
  const clearHeartbeat = () => {
    pingTimer = clear(pingTimer);
    pongTimer = clear(pongTimer);
  };

  const ping = (timeoutMs: number) => {
    if (!ws || ws.readyState !== OPEN) return;
    ws.send(PING);
    pongTimer ??= timers.setTimeout(() => drop(ws, 4000), timeoutMs);
  };
  const scheduleHeartbeat = () => {
    pingTimer = clear(pingTimer);
    pingTimer = timers.setTimeout(() => {
      pingTimer = null;
      ping(pongTimeoutMs);
      scheduleHeartbeat();
    }, pingIntervalMs);
  };

  const halt = (next: SocketStatus) => {
    running = false;
    setStatus(next);
  };

  const scheduleRetry = (code?: number) => {
    if (!running || retryTimer !== null) return;
    const action = closeAction(code);
    if (action === 'start-over' && onUserChanged) {
      // Reconnecting would show this user's list to whoever the token now names: the owner starts over.
      halt('closed');
      return onUserChanged();
    }
    // A fixed token that expired stays expired: retrying would only be refused, forever.
    if (action === 'refresh' && !renewable()) return halt('expired');
    everFailed = true;
    setStatus('reconnecting');
    let delay: number;
    if (directedDelay !== null) delay = directedDelay;
    // At once with a fresh token; a second expiry in a row means the host's tokens are stale, so back off then.
    else if (action === 'refresh' && !expiredBefore) delay = 0;
    else if (action === 'wait') delay = maxDelayMs;
    else delay = fullJitterDelay(attempt, { baseMs: baseDelayMs, capMs: maxDelayMs, random });
    if (action === 'refresh') expiredBefore = true;
    directedDelay = null;
    attempt += 1;
    retryTimer = timers.setTimeout(() => {
      retryTimer = null;
      void connect();
    }, delay);
  };

  /** Forgets `socket` (if still current), closes it and schedules the next attempt. */
  function drop(socket: WebSocketLike | null, code?: number) {
    if (!socket || socket !== ws) return;
    ws = null;
    clearHeartbeat();
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close();
    } catch {
      // Already closing: nothing to do.
    }
    scheduleRetry(code);
  }

  async function connect() {
    const mine = ++generation;
    setStatus(everFailed ? 'reconnecting' : 'connecting');
    let target: string;
    try {
      target = await url();
    } catch {
      if (mine === generation) scheduleRetry();
      return;
    }
    if (!running || mine !== generation) return;
    let socket: WebSocketLike;
    try {
      socket = new WebSocketImpl(target);
    } catch {
      scheduleRetry();
      return;
    }
    ws = socket;
    directedDelay = null;
    socket.onopen = () => scheduleHeartbeat();
    socket.onmessage = (event) => {
      if (socket !== ws) return;
      pongTimer = clear(pongTimer);
      const frame = parseFrame(event.data);
      if (!frame || frame.type === 'PONG') return;
      if (frame.type === 'READY') {
        // Only a socket that got as far as READY proves the server is healthy: reset the backoff here.
        attempt = 0;
        setStatus('open');
      } else if (frame.type === 'RECONNECT') {
        // Capped: the delay comes from the network, and a panel must not go quiet for hours on its say.
        directedDelay = Math.min(frame.payload.after_ms, maxDelayMs);
      } else if (frame.type === 'AUTHED') {
        expiredBefore = false;
      }
      for (const listener of frameListeners) listener(frame);
    };
    socket.onclose = (event) => drop(socket, event.code);
    socket.onerror = () => {
      // A close event always follows an error; reconnecting is handled there.
    };
  }

  return {
    start() {
      if (running) return;
      running = true;
      void connect();
    },
    stop() {
      running = false;
      generation += 1;
      retryTimer = clear(retryTimer);
      clearHeartbeat();
      const socket = ws;
      ws = null;
      if (socket) {
        socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
        socket.close(1000);
      }
      setStatus('closed');
    },
    reconnectNow() {
      if (!running || ws) return;
      retryTimer = clear(retryTimer);
      attempt = 0;
      void connect();
    },
    check() {
      if (!running) return;
      // A visible tab wants an answer soon: a false alarm only costs a reconnect and a resync.
      if (ws && ws.readyState === OPEN) ping(Math.min(pongTimeoutMs, 3_000));
      else if (!ws) this.reconnectNow();
    },
    status: () => status,
    send(frame) {
      if (!ws || ws.readyState !== OPEN) return false;
      ws.send(JSON.stringify(frame));
      return true;
    },
    onFrame(listener) {
      frameListeners.add(listener);
      return () => frameListeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
  };
}
