/**
 * The WebSocket gateway: authenticates upgrades, subscribes each socket to its user's Bun topic, and turns
 * bus messages into frames published to those topics. Fan-out cost is per notification, never per socket:
 * Bun delivers one publish to every subscriber of the topic.
 */
import type { Server, ServerWebSocket, WebSocketHandler } from 'bun';
import type { BusMessage } from '../bus/messages.ts';
import type { VerifyToken } from '../auth/tokens.ts';
import type { Logger } from '../log.ts';
import { clientFrameSchema, closeCodes, frames, maxBadFrames, bufferCaps, maxClientFrameBytes, type ClientFrame } from './protocol.ts';
import { checkUpgrade, type UpgradePolicy } from './upgrade-policy.ts';
import type { CatchUp } from './catch-up.ts';
import { createRecentIds } from './recent-ids.ts';
import type { MuteCache } from './mute-cache.ts';
import { AppError, errorResponse } from '../errors.ts';

const decoder = new TextDecoder();

/** Per-socket state, set at upgrade. Kept small: it is paid once per connection. */
export interface SocketData {
  userId: string;
  /** Token expiry, seconds since the epoch; moved by an in-band AUTH. */
  exp: number;
  badFrames: number;
}

export type GatewaySocket = ServerWebSocket<SocketData>;

/** The topic of one user's sockets. */
export const userTopic = (userId: string) => `u:${userId}`;

export interface GatewayOptions {
  verifyToken: VerifyToken;
  log: Logger;
  policy: UpgradePolicy;
  /** Answers RESUME frames; without it RESUME is answered with RESYNC. */
  catchUp?: CatchUp;
  /** Users' mutes at fan-out; without it nothing is held back. */
  mutes?: MuteCache;
  /** How often expired sockets are looked for. */
  expirySweepMs?: number;
  now?: () => number;
}

export interface Gateway {
  /** Gives the gateway the server whose topics it publishes to. */
  attach(server: Server<SocketData>): void;
  /** Answers a /ws request: 101 on a valid token, else a JSON error Response. */
  upgrade(request: Request, server: Server<SocketData>): Promise<Response | undefined>;
  websocket: WebSocketHandler<SocketData>;
  /** Delivers one bus message to the local sockets it concerns. */
  deliver(message: BusMessage): void;
  /** Tells every local socket to refetch: live messages may have been missed. */
  resyncAll(reason: string): void;
  /** Tells every socket to reconnect after a random delay and closes it with 1012 (shutdown). */
  closeAll(maxDelayMs: number): void;
  /** Open sockets on this process. */
  connections(): number;
  stop(): void;
}

/** Creates the gateway; call `deliver` from the bus and mount `upgrade`/`websocket` in Bun.serve. */
export function createGateway({ verifyToken, log, policy, catchUp, mutes, expirySweepMs = 1000, now = Date.now }: GatewayOptions): Gateway {
  let server: Server<SocketData> | undefined;
  const sockets = new Set<GatewaySocket>();
  const delivered = createRecentIds();
  let dropped = 0;

  /** Publishes to a topic; the frame is only built when the topic has a socket on this process. */
  function publish(topic: string, frame: () => string) {
    if (!server || server.subscriberCount(topic) === 0) return;
    // 0: dropped (every subscriber's buffer was full); -1: queued under backpressure. Dropped frames are
    // never silent: a socket past its buffer cap is closed with 4008 and the client resyncs.
    if (server.publish(topic, frame()) === 0) dropped++;
  }

  function send(ws: GatewaySocket, frame: string) {
    if (ws.send(frame) === 0) ws.close(closeCodes.slowConsumer, 'slow consumer: reconnect and resync');
  }

  // One sweep a second over every socket is cheaper than a timer per socket (memory is the density limit).
  const sweep = setInterval(() => {
    const nowSeconds = now() / 1000;
    for (const ws of sockets) {
      if (ws.data.exp <= nowSeconds) ws.close(closeCodes.tokenExpired, 'token expired');
      else if (ws.getBufferedAmount() > bufferCaps.softBytes) ws.close(closeCodes.slowConsumer, 'slow consumer: reconnect and resync');
    }
  }, expirySweepMs);
  sweep.unref();

  async function handleFrame(ws: GatewaySocket, frame: ClientFrame) {
    switch (frame.type) {
      case 'PING':
        return send(ws, frames.pong());
      case 'AUTH': {
        let verified: Awaited<ReturnType<VerifyToken>>;
        try {
          verified = await verifyToken(frame.payload.token);
        } catch {
          return send(ws, frames.error('invalid_token', 'The token was rejected; the socket keeps its current expiry'));
        }
        if (verified.userId !== ws.data.userId) return ws.close(closeCodes.userMismatch, 'token for another user');
        ws.data.exp = verified.exp;
        return send(ws, frames.authed(verified.exp));
      }
      case 'RESUME': {
        if (!catchUp) return send(ws, frames.resync('resume_unavailable'));
        const result = await catchUp(ws.data.userId, frame.payload.after);
        if (ws.readyState !== 1) return;
        if (result.kind === 'resync') return send(ws, frames.resync(result.reason));
        for (const row of result.rows) send(ws, frames.notification(row));
        return send(ws, frames.resumed(result.rows.length, result.unreadCount));
      }
    }
  }

  return {
    attach(bunServer) {
      server = bunServer;
    },

    async upgrade(request, bunServer) {
      if (request.method !== 'GET') {
        return errorResponse(new AppError(405, 'method_not_allowed', 'Open the socket with GET'));
      }
      const handshake = request.headers.get('upgrade')?.toLowerCase() === 'websocket';
      if (handshake && (request.headers.get('sec-websocket-version') !== '13' || !request.headers.get('sec-websocket-key'))) {
        return errorResponse(new AppError(426, 'upgrade_required', 'Use WebSocket version 13 with a Sec-WebSocket-Key'), {
          'Sec-WebSocket-Version': '13',
        });
      }
      const checked = await checkUpgrade(request, { verifyToken, policy, socketsOf: (userId) => bunServer.subscriberCount(userTopic(userId)) });
      if (checked instanceof Response) return checked;
      await mutes?.load(checked.userId);
      if (bunServer.upgrade(request, { data: { userId: checked.userId, exp: checked.exp, badFrames: 0 } })) return undefined;
      return errorResponse(new AppError(426, 'upgrade_required', 'Expected a WebSocket upgrade'));
    },

    websocket: {
      maxPayloadLength: maxClientFrameBytes,
      backpressureLimit: bufferCaps.hardBytes,
      closeOnBackpressureLimit: true,
      idleTimeout: 120,
      sendPings: true,
      open(ws) {
        sockets.add(ws);
        ws.subscribe(userTopic(ws.data.userId));
        send(ws, frames.ready(ws.data.userId));
      },
      message(ws, raw) {
        let frame: unknown;
        try {
          frame = JSON.parse(typeof raw === 'string' ? raw : decoder.decode(raw));
        } catch {
          frame = undefined;
        }
        const parsed = clientFrameSchema.safeParse(frame);
        if (!parsed.success) {
          ws.data.badFrames++;
          if (ws.data.badFrames >= maxBadFrames) return ws.close(closeCodes.policyViolation, 'too many invalid frames');
          return send(ws, frames.error('invalid_frame', 'Unknown or malformed frame'));
        }
        handleFrame(ws, parsed.data).catch((error: unknown) => {
          log.warn({ err: (error as Error)?.message }, 'gateway: frame handling failed');
          if (ws.readyState === 1) send(ws, frames.resync('server_error'));
        });
      },
      close(ws) {
        sockets.delete(ws);
        if (server?.subscriberCount(userTopic(ws.data.userId)) === 0) mutes?.forget(ws.data.userId);
      },
    },

    deliver(message) {
      switch (message.kind) {
        case 'notifications':
          for (const item of message.items) {
            const topic = userTopic(item.user_id);
            // Nobody here for this user: skip before touching the repeat filter (most items, with many gateways).
            if (!server || server.subscriberCount(topic) === 0) continue;
            if (mutes?.muted(item.user_id, item.type, item.category)) continue;
            if (delivered.firstTime(item.id)) publish(topic, () => frames.notification(item));
          }
          break;
        case 'read':
          publish(userTopic(message.user_id), () => frames.read(message.ids, message.unread_count));
          break;
        case 'erased':
          mutes?.forget(message.user_id);
          publish(userTopic(message.user_id), frames.erased);
          break;
        case 'changed':
          publish(userTopic(message.user_id), () => frames.changed(message.change, message.ids, message.unread_count));
          break;
        case 'preferences':
          // What the inbox and the badge hold changed with the mutes: the user's tabs refetch both.
          mutes?.set(message.user_id, message.muted, (server?.subscriberCount(userTopic(message.user_id)) ?? 0) > 0);
          publish(userTopic(message.user_id), () => frames.resync('preferences_changed'));
          break;
      }
      if (dropped > 0) {
        log.warn({ dropped }, 'gateway: frames dropped by full socket buffers');
        dropped = 0;
      }
    },

    resyncAll(reason) {
      // Rare (a bus outage ended), so a loop over the socket set; a second topic per socket would cost memory always.
      const frame = frames.resync(reason);
      for (const ws of sockets) send(ws, frame);
      // `preferences` messages may have been lost with the others.
      void mutes?.reload([...sockets].map((ws) => ws.data.userId));
    },

    closeAll(maxDelayMs) {
      for (const ws of sockets) {
        // Spread the reconnects so a restart is not a thundering herd on the next process.
        ws.send(frames.reconnect(Math.floor(Math.random() * maxDelayMs)));
        ws.close(closeCodes.serviceRestart, 'service restart');
      }
    },

    connections: () => sockets.size,

    stop() {
      clearInterval(sweep);
    },
  };
}
