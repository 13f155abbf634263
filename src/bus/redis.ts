/**
 * The Redis bus: one shared channel `<prefix>events`, a subscriber connection and a separate command connection.
 * After the subscriber reconnects it re-subscribes and then reports a gap, because anything published while
 * it was away is gone (Redis pub/sub keeps nothing).
 *
 * A connection can die without a close (a half-open TCP connection: the peer or a middlebox forgot it). Nothing
 * would tell: a subscriber only reads, and a publish would wait forever. So every command has a timeout, TCP
 * keepalive is on, and both connections are pinged every `heartbeatMs` (PING is allowed in subscribe mode); one
 * that does not answer in time is dropped and reconnected, which reports the gap like any other reconnect.
 */
import Redis from 'ioredis';
import type { Logger } from '../log.ts';
import { defaultRedisTiming, type RedisConfig } from '../config.ts';
import type { Bus, BusMessage } from './messages.ts';
import { createBusDecoder, encodeBusMessage } from './wire.ts';
import { createHeartbeat } from './heartbeat.ts';

export interface RedisBusOptions extends Partial<Pick<RedisConfig, 'commandTimeoutMs' | 'heartbeatMs' | 'maxPendingPublishes'>> {
  url: string;
  prefix?: string;
  log: Logger;
  /** This process's id on the bus (random when unset): its own echoes are dropped by it (see wire.ts). */
  origin?: string | undefined;
}

/** The channel every belfry process publishes to and subscribes to. */
export function eventsChannel(prefix: string): string {
  return `${prefix}events`;
}

/** Connects both Redis connections and subscribes; resolves once subscribed. */
export async function createRedisBus(options: RedisBusOptions): Promise<Bus> {
  const { url, prefix = 'belfry:', log, origin = crypto.randomUUID() } = options;
  const { commandTimeoutMs, heartbeatMs, maxPendingPublishes } = { ...defaultRedisTiming(), ...definedOnly(options) };
  const channel = eventsChannel(prefix);
  const connectionOptions = {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    connectTimeout: commandTimeoutMs,
    commandTimeout: commandTimeoutMs,
    // A second line behind the heartbeat: the kernel notices a dead peer even when nothing is being sent.
    keepAlive: 10_000,
    // Reconnect quickly at first, then every second at most: an outage costs a gap, not a stall.
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 1000),
  };
  // No offline queue: a publish while Redis is away fails at once and its batch stays in the outbox for the relay,
  // instead of being replayed on reconnect before our own subscription is back (and reaching nobody).
  const commands = new Redis(url, { ...connectionOptions, connectionName: 'belfry-commands', enableOfflineQueue: false });
  const subscriber = new Redis(url, { ...connectionOptions, connectionName: 'belfry-subscriber', autoResubscribe: false });
  const messageHandlers: ((message: BusMessage) => void)[] = [];
  const gapHandlers: (() => void)[] = [];
  const decode = createBusDecoder(origin);
  let lostSubscription = false;
  let closing = false;
  let pendingPublishes = 0;

  subscriber.on('message', (from: string, raw: string) => {
    if (from !== channel) return;
    const decoded = decode(raw);
    if (decoded.kind === 'own') return;
    if (decoded.kind === 'not_json') return log.warn({ channel }, 'bus: dropped a message that is not JSON');
    if (decoded.kind === 'malformed') return log.warn({ channel, issues: decoded.issues }, 'bus: dropped a malformed message');
    for (const handler of messageHandlers) handler(decoded.message);
  });
  subscriber.on('close', () => {
    if (closing || lostSubscription) return;
    lostSubscription = true;
    log.warn({ channel }, 'bus: subscriber connection lost; live delivery paused');
  });
  subscriber.on('ready', async () => {
    if (!lostSubscription) return;
    try {
      await subscriber.subscribe(channel);
      lostSubscription = false;
      log.info({ channel }, 'bus: subscriber back; clients told to resync');
      for (const handler of gapHandlers) handler();
    } catch (error) {
      log.warn({ err: (error as Error)?.message }, 'bus: re-subscribe failed; reconnecting');
      subscriber.disconnect(true);
    }
  });
  for (const connection of [commands, subscriber]) {
    // ioredis logs unhandled 'error' events itself; ours carry no secrets (the URL is not in them).
    connection.on('error', (error: Error) => log.debug({ err: error.message }, 'bus: redis error'));
  }

  await Promise.all([commands.connect(), subscriber.connect()]);
  await subscriber.subscribe(channel);

  const beat = createHeartbeat({ log, closing: () => closing, drop: (connection) => connection.disconnect(true) });
  const heartbeat = setInterval(() => {
    void beat(subscriber, 'subscriber');
    void beat(commands, 'commands');
  }, heartbeatMs);
  heartbeat.unref();

  return {
    async publish(message, { echo = true } = {}) {
      // Each waiting publish holds its batch in memory: past the cap, fail now and leave the batch to the outbox.
      if (pendingPublishes >= maxPendingPublishes) throw new Error('bus: too many publishes waiting for redis');
      pendingPublishes++;
      try {
        await commands.publish(channel, encodeBusMessage(message, echo ? undefined : origin));
      } finally {
        pendingPublishes--;
      }
    },
    onMessage(handler) {
      messageHandlers.push(handler);
    },
    onGap(handler) {
      gapHandlers.push(handler);
    },
    async ping() {
      if (lostSubscription || subscriber.status !== 'ready') throw new Error('subscriber not ready');
      await commands.ping();
    },
    async close() {
      closing = true;
      clearInterval(heartbeat);
      const quit = Promise.allSettled([subscriber.quit(), commands.quit()]);
      await Promise.race([quit, Bun.sleep(commandTimeoutMs)]);
      subscriber.disconnect();
      commands.disconnect();
    },
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
