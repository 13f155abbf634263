/**
 * The Redis bus: one shared channel `<prefix>events`, a subscriber connection and a separate command connection.
 * After the subscriber reconnects it re-subscribes and then reports a gap, because anything published while
 * it was away is gone (Redis pub/sub keeps nothing).
 */
import Redis from 'ioredis';
import type { Logger } from '../log.ts';
import { busMessageSchema, type Bus, type BusMessage } from './messages.ts';

export interface RedisBusOptions {
  url: string;
  prefix?: string;
  log: Logger;
  /**
   * This process's origin: messages that start with it (notifications it ingested and delivered itself) are
   * dropped before the JSON and zod parse, the largest cost of a burst on the one JavaScript thread.
   */
  origin?: string | undefined;
}

/** The channel every belfry process publishes to and subscribes to. */
export function eventsChannel(prefix: string): string {
  return `${prefix}events`;
}

/** Connects both Redis connections and subscribes; resolves once subscribed. */
export async function createRedisBus({ url, prefix = 'belfry:', log, origin }: RedisBusOptions): Promise<Bus> {
  const channel = eventsChannel(prefix);
  const connectionOptions = {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    // Reconnect quickly at first, then every second at most: an outage costs a gap, not a stall.
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 1000),
  };
  // No offline queue: a publish while Redis is away fails at once and its batch stays in the outbox for the relay,
  // instead of being replayed on reconnect before our own subscription is back (and reaching nobody).
  const commands = new Redis(url, { ...connectionOptions, connectionName: 'belfry-commands', enableOfflineQueue: false });
  const subscriber = new Redis(url, { ...connectionOptions, connectionName: 'belfry-subscriber', autoResubscribe: false });
  const messageHandlers: ((message: BusMessage) => void)[] = [];
  const gapHandlers: (() => void)[] = [];
  let lostSubscription = false;
  let closing = false;

  const ownPrefix = origin ? `{"origin":${JSON.stringify(origin)},` : undefined;
  subscriber.on('message', (from: string, raw: string) => {
    if (from !== channel) return;
    if (ownPrefix && raw.startsWith(ownPrefix)) return;
    let parsed: ReturnType<typeof busMessageSchema.safeParse>;
    try {
      parsed = busMessageSchema.safeParse(JSON.parse(raw));
    } catch {
      return log.warn({ channel }, 'bus: dropped a message that is not JSON');
    }
    if (!parsed.success) return log.warn({ channel, issues: parsed.error.issues.length }, 'bus: dropped a malformed message');
    for (const handler of messageHandlers) handler(parsed.data);
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
      log.warn({ err: error }, 'bus: re-subscribe failed; retrying on next reconnect');
    }
  });
  for (const connection of [commands, subscriber]) {
    // ioredis logs unhandled 'error' events itself; ours carry no secrets (the URL is not in them).
    connection.on('error', (error: Error) => log.debug({ err: error.message }, 'bus: redis error'));
  }

  await Promise.all([commands.connect(), subscriber.connect()]);
  await subscriber.subscribe(channel);

  return {
    async publish(message) {
      await commands.publish(channel, JSON.stringify(message));
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
      await Promise.allSettled([subscriber.quit(), commands.quit()]);
    },
  };
}
