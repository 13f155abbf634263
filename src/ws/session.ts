/**
 * The session: what a socket says and how long it may stay. Client frames (PING, AUTH, RESUME) are parsed and
 * answered here, each one first paid for from the user's request budget (shared with REST); one RESUME runs at a
 * time per socket; work for a socket that closed stops before its next query; one sweep closes expired and slow
 * sockets. Fan-out is the gateway's.
 */
import type { WebSocketHandler } from 'bun';
import type { VerifyToken } from '../auth/tokens.ts';
import type { Logger } from '../log.ts';
import type { Limiter } from '../rate-limit.ts';
import type { CatchUp } from './catch-up.ts';
import { sendFrame, type Gateway } from './gateway.ts';
import { bufferCaps, clientFrameSchema, closeCodes, frames, maxBadFrames, maxClientFrameBytes, type ClientFrame } from './protocol.ts';
import type { BelfrySocket, SocketData } from './socket-data.ts';

const decoder = new TextDecoder();
// The heartbeat every panel sends every 25 s, byte for byte: answered without a JSON or zod parse, because at
// 100,000 sockets it is 4,000 frames a second of garbage and CPU for nothing. Any other spelling takes the full path.
const pingFrame = JSON.stringify({ type: 'PING' } satisfies ClientFrame);
const pongFrame = frames.pong();

export interface SessionOptions {
  verifyToken: VerifyToken;
  log: Logger;
  gateway: Gateway;
  /** The per-user request budget; every client frame takes one token (USER_RATE_LIMIT, shared with REST). */
  limiter: Limiter;
  /** Answers RESUME frames; without it RESUME is answered with RESYNC. */
  catchUp?: CatchUp;
  /** How often expired and slow sockets are looked for. */
  sweepMs?: number;
  /** Told the close code of every socket that closes (metrics). */
  onClose?: ((code: number) => void) | undefined;
  now?: () => number;
}

export interface Session {
  /** The handlers Bun.serve runs for every socket. */
  websocket: WebSocketHandler<SocketData>;
  stop(): void;
}

/** Creates the session layer over a gateway; mount `websocket` in Bun.serve. */
export function createSession({ verifyToken, log, gateway, limiter, catchUp, sweepMs = 1000, now = Date.now, onClose }: SessionOptions): Session {
  // One sweep a second over every socket is cheaper than a timer per socket (memory is the density limit).
  const sweep = setInterval(() => {
    const nowSeconds = now() / 1000;
    for (const ws of gateway.sockets()) {
      if (ws.data.exp <= nowSeconds) ws.close(closeCodes.tokenExpired, 'token expired');
      else if (ws.getBufferedAmount() > bufferCaps.softBytes) ws.close(closeCodes.slowConsumer, 'slow consumer: reconnect and resync');
    }
  }, sweepMs);
  sweep.unref();

  /** A refused frame: ERROR while the socket has strikes left, then close 1008. */
  function strike(ws: BelfrySocket, code: string, message: string) {
    ws.data.badFrames++;
    if (ws.data.badFrames >= maxBadFrames) return ws.close(closeCodes.policyViolation, 'too many refused frames');
    sendFrame(ws, frames.error(code, message));
  }

  async function auth(ws: BelfrySocket, token: string) {
    let verified: Awaited<ReturnType<VerifyToken>>;
    try {
      verified = await verifyToken(token);
    } catch {
      return sendFrame(ws, frames.error('invalid_token', 'The token was rejected; the socket keeps its current expiry'));
    }
    if (ws.data.closed) return;
    if (verified.userId !== ws.data.userId) return ws.close(closeCodes.userMismatch, 'token for another user');
    ws.data.exp = verified.exp;
    sendFrame(ws, frames.authed(verified.exp));
  }

  async function resume(ws: BelfrySocket, after: string) {
    if (!catchUp) return sendFrame(ws, frames.resync('resume_unavailable'));
    // One catch-up per socket at a time: a flood of RESUMEs would otherwise be a flood of queries.
    if (ws.data.resuming) return sendFrame(ws, frames.error('resume_in_progress', 'A RESUME is still being answered; wait for its RESUMED or RESYNC'));
    ws.data.resuming = true;
    try {
      const result = await catchUp(ws.data.userId, after, () => ws.data.closed);
      if (result.kind === 'aborted') return;
      if (result.kind === 'resync') return sendFrame(ws, frames.resync(result.reason));
      for (const row of result.rows) sendFrame(ws, frames.notification(row));
      sendFrame(ws, frames.resumed(result.rows.length, result.unreadCount));
    } finally {
      ws.data.resuming = false;
    }
  }

  function handle(ws: BelfrySocket, frame: ClientFrame): Promise<void> | void {
    switch (frame.type) {
      case 'PING':
        return sendFrame(ws, frames.pong());
      case 'AUTH':
        return auth(ws, frame.payload.token);
      case 'RESUME':
        return resume(ws, frame.payload.after);
    }
  }

  return {
    websocket: {
      maxPayloadLength: maxClientFrameBytes,
      backpressureLimit: bufferCaps.hardBytes,
      closeOnBackpressureLimit: true,
      idleTimeout: 120,
      sendPings: true,
      open(ws) {
        gateway.add(ws);
        sendFrame(ws, frames.ready(ws.data.userId));
      },
      message(ws, raw) {
        // Paid for before it is even parsed: junk costs the sender as much as a valid frame.
        const wait = limiter.take(ws.data.userId);
        if (wait > 0) return strike(ws, 'rate_limited', `Too many frames and requests; retry after ${wait} s`);
        if (raw === pingFrame) return sendFrame(ws, pongFrame);
        let frame: unknown;
        try {
          frame = JSON.parse(typeof raw === 'string' ? raw : decoder.decode(raw));
        } catch {
          frame = undefined;
        }
        const parsed = clientFrameSchema.safeParse(frame);
        if (!parsed.success) return strike(ws, 'invalid_frame', 'Unknown or malformed frame');
        Promise.resolve(handle(ws, parsed.data)).catch((error: unknown) => {
          log.warn({ err: (error as Error)?.message }, 'session: frame handling failed');
          sendFrame(ws, frames.resync('server_error'));
        });
      },
      close(ws, code) {
        ws.data.closed = true;
        gateway.remove(ws);
        onClose?.(code);
      },
    },
    stop() {
      clearInterval(sweep);
    },
  };
}
