/**
 * The gateway: fan-out only. It keeps each open socket subscribed to its user's Bun topic and turns bus messages
 * into frames published to those topics. Cost is per message, never per socket: Bun delivers one publish to every
 * subscriber of the topic. Client frames are the session's (session.ts), the upgrade checks upgrade.ts's.
 */
import type { Server } from 'bun';
import type { BusMessage } from '../bus/messages.ts';
import type { Logger } from '../log.ts';
import { closeCodes, frames } from './protocol.ts';
import { createRecentIds } from './recent-ids.ts';
import { userTopic, type BelfrySocket, type SocketData } from './socket-data.ts';
import type { MuteCache } from './mute-cache.ts';

export interface Gateway {
  /** Gives the gateway the server whose topics it publishes to. */
  attach(server: Server<SocketData>): void;
  /** Registers an open socket and subscribes it to its user's topic. */
  add(ws: BelfrySocket): void;
  /** Forgets a closed socket (Bun drops its subscriptions). */
  remove(ws: BelfrySocket): void;
  /** The open sockets on this process. */
  sockets(): Iterable<BelfrySocket>;
  /** Open sockets of one user on this process. */
  socketsOf(userId: string): number;
  /** Delivers one bus message to the local sockets it concerns. */
  deliver(message: BusMessage): void;
  /** Tells every local socket to refetch: live messages may have been missed. */
  resyncAll(reason: string): void;
  /** Tells every socket to reconnect after a random delay and closes it with 1012 (shutdown). */
  closeAll(maxDelayMs: number): void;
  /** Open sockets on this process. */
  connections(): number;
}

/** Sends one frame; a socket whose buffer is past the hard cap is closed, so the client resyncs. */
export function sendFrame(ws: BelfrySocket, frame: string): void {
  if (ws.data.closed) return;
  if (ws.send(frame) === 0) ws.close(closeCodes.slowConsumer, 'slow consumer: reconnect and resync');
}

type Deliveries = { [Kind in BusMessage['kind']]: (message: Extract<BusMessage, { kind: Kind }>) => void };

export interface GatewayOptions {
  log: Logger;
  /** Users' mutes at fan-out; without it nothing is held back. */
  mutes?: MuteCache | undefined;
  /** Told of each notification written to this process's sockets, with its created_at (metrics). */
  onDelivered?: ((createdAtMs: number) => void) | undefined;
  /** Told of each frame Bun dropped because every subscriber's buffer was full (metrics). */
  onDropped?: (() => void) | undefined;
}

/** Creates the gateway; call `deliver` from the bus (and from local writers) and `attach` once serving. */
export function createGateway({ log, mutes, onDelivered, onDropped }: GatewayOptions): Gateway {
  let server: Server<SocketData> | undefined;
  const sockets = new Set<BelfrySocket>();
  const delivered = createRecentIds();
  let dropped = 0;

  const hasSockets = (topic: string) => server !== undefined && server.subscriberCount(topic) > 0;

  /** Publishes to a topic; the frame is only built when the topic has a socket on this process. False when dropped. */
  function publish(topic: string, frame: () => string): boolean {
    if (!server || !hasSockets(topic)) return false;
    // 0: dropped (every subscriber's buffer was full); -1: queued under backpressure. Dropped frames are
    // never silent: a socket past its buffer cap is closed with 4008 and the client resyncs.
    if (server.publish(topic, frame()) !== 0) return true;
    dropped++;
    onDropped?.();
    return false;
  }

  // The items of one insert share created_at (the transaction's start): parse it once per run of equal strings.
  let lastCreatedAt = '';
  let lastCreatedAtMs = 0;
  const createdAtMs = (createdAt: string) => {
    if (createdAt !== lastCreatedAt) {
      lastCreatedAt = createdAt;
      lastCreatedAtMs = Date.parse(createdAt);
    }
    return lastCreatedAtMs;
  };

  // One entry per bus message kind: a new kind does not compile until it says how it reaches sockets.
  const deliveries: Deliveries = {
    notifications(message) {
      for (const item of message.items) {
        const topic = userTopic(item.user_id);
        // Nobody here for this user: skip before touching the repeat filter (most items, with many gateways).
        if (!hasSockets(topic)) continue;
        if (mutes?.muted(item.user_id, item.type, item.category)) continue;
        if (delivered.firstTime(item.id) && publish(topic, () => frames.notification(item))) onDelivered?.(createdAtMs(item.created_at));
      }
    },
    read(message) {
      publish(userTopic(message.user_id), () => frames.read(message.ids, message.unread_count));
    },
    // The erasing process delivers this itself, then hears it again from the bus: a repeat costs the panel one more
    // refetch, which brings back whatever the server still has (docs/decisions.md#erasure-reaches-local-sockets-first).
    erased(message) {
      mutes?.forget(message.user_id);
      publish(userTopic(message.user_id), frames.erased);
    },
    changed(message) {
      publish(userTopic(message.user_id), () => frames.changed(message.change, message.ids, message.unread_count));
    },
    preferences(message) {
      // What the inbox and the badge hold changed with the mutes: the user's tabs refetch both.
      mutes?.set(message.user_id, message.muted, hasSockets(userTopic(message.user_id)));
      publish(userTopic(message.user_id), () => frames.resync('preferences_changed'));
    },
  };

  return {
    attach(bunServer) {
      server = bunServer;
    },
    add(ws) {
      sockets.add(ws);
      ws.subscribe(userTopic(ws.data.userId));
    },
    remove(ws) {
      sockets.delete(ws);
      if (!hasSockets(userTopic(ws.data.userId))) mutes?.forget(ws.data.userId);
    },
    sockets: () => sockets,
    socketsOf: (userId) => server?.subscriberCount(userTopic(userId)) ?? 0,

    deliver(message) {
      (deliveries[message.kind] as (message: BusMessage) => void)(message);
      if (dropped > 0) {
        log.warn({ dropped }, 'gateway: frames dropped by full socket buffers');
        dropped = 0;
      }
    },

    resyncAll(reason) {
      // Rare (a bus outage ended), so a loop over the socket set; a second topic per socket would cost memory always.
      const frame = frames.resync(reason);
      for (const ws of sockets) sendFrame(ws, frame);
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
  };
}
