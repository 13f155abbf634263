/**
 * The WebSocket gateway: authenticates upgrades, subscribes each socket to its user's Bun topic, and turns
 * bus messages into frames published to those topics. Fan-out cost is per notification, never per socket:
 * Bun delivers one publish to every subscriber of the topic.
 */
import type { Server, ServerWebSocket, WebSocketHandler } from 'bun';
import type { BusMessage } from '../bus/messages.ts';
import type { VerifyToken } from '../auth/tokens.ts';
import type { Logger } from '../log.ts';
import { clientFrameSchema, closeCodes, frames, maxBadFrames, maxClientFrameBytes } from './protocol.ts';

/** Per-socket state, set at upgrade. Kept small: it is paid once per connection. */
export interface SocketData {
  userId: string;
  badFrames: number;
}

export type GatewaySocket = ServerWebSocket<SocketData>;

/** The topic of one user's sockets. */
export const userTopic = (userId: string) => `u:${userId}`;
/** The topic every socket joins, for messages to all (RESYNC). */
const everyoneTopic = 'all';

export interface GatewayOptions {
  verifyToken: VerifyToken;
  log: Logger;
}

export interface Gateway {
  /** Gives the gateway the server whose topics it publishes to. */
  attach(server: Server<SocketData>): void;
  /** Answers a /ws request: 101 on a valid token, else a 401 Response. */
  upgrade(request: Request, server: Server<SocketData>): Promise<Response | undefined>;
  websocket: WebSocketHandler<SocketData>;
  /** Delivers one bus message to the local sockets it concerns. */
  deliver(message: BusMessage): void;
  /** Tells every local socket to refetch: live messages may have been missed. */
  resyncAll(reason: string): void;
  /** Open sockets on this process. */
  connections(): number;
}

function unauthorized(): Response {
  return Response.json({ error: { code: 'unauthorized', message: 'Missing or invalid token' } }, { status: 401 });
}

/** Reads the token from `?token=` or, failing that, the `belfry_token` cookie. */
function tokenOf(request: Request): string | undefined {
  const fromQuery = new URL(request.url).searchParams.get('token');
  if (fromQuery) return fromQuery;
  const cookie = request.headers.get('cookie');
  return cookie?.match(/(?:^|;\s*)belfry_token=([^;]+)/)?.[1];
}

/** Creates the gateway; call `deliver` from the bus and mount `upgrade`/`websocket` in Bun.serve. */
export function createGateway({ verifyToken, log }: GatewayOptions): Gateway {
  let server: Server<SocketData> | undefined;
  let open = 0;
  let dropped = 0;

  function publish(topic: string, frame: string) {
    if (!server || server.subscriberCount(topic) === 0) return;
    // 0 means dropped by every subscriber (their buffers are full); -1 is backpressure, still queued.
    if (server.publish(topic, frame) === 0) dropped++;
  }

  return {
    attach(bunServer) {
      server = bunServer;
    },

    async upgrade(request, bunServer) {
      const token = tokenOf(request);
      if (!token) return unauthorized();
      let userId: string;
      try {
        ({ userId } = await verifyToken(token));
      } catch {
        return unauthorized();
      }
      if (bunServer.upgrade(request, { data: { userId, badFrames: 0 } })) return undefined;
      return Response.json({ error: { code: 'upgrade_required', message: 'Expected a WebSocket upgrade' } }, { status: 426 });
    },

    websocket: {
      maxPayloadLength: maxClientFrameBytes,
      idleTimeout: 120,
      sendPings: true,
      open(ws) {
        open++;
        ws.subscribe(userTopic(ws.data.userId));
        ws.subscribe(everyoneTopic);
        ws.send(frames.ready(ws.data.userId));
      },
      message(ws, raw) {
        let frame: unknown;
        try {
          frame = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw));
        } catch {
          frame = undefined;
        }
        const parsed = clientFrameSchema.safeParse(frame);
        if (!parsed.success) {
          ws.data.badFrames++;
          if (ws.data.badFrames >= maxBadFrames) return ws.close(closeCodes.policyViolation, 'too many invalid frames');
          ws.send(frames.error('invalid_frame', 'Unknown or malformed frame'));
          return;
        }
        if (parsed.data.type === 'PING') ws.send(frames.pong());
      },
      close() {
        open--;
      },
    },

    deliver(message) {
      if (message.kind === 'notifications') {
        for (const item of message.items) {
          const topic = userTopic(item.user_id);
          if (!server || server.subscriberCount(topic) === 0) continue;
          publish(topic, frames.notification(item));
        }
      } else {
        publish(userTopic(message.user_id), frames.read(message.ids, message.unread_count));
      }
      if (dropped > 0) {
        log.warn({ dropped }, 'gateway: frames dropped by full socket buffers');
        dropped = 0;
      }
    },

    resyncAll(reason) {
      publish(everyoneTopic, frames.resync(reason));
    },

    connections: () => open,
  };
}
