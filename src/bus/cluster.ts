/**
 * The Redis Cluster bus: sharded pub/sub (SPUBLISH / SSUBSCRIBE, Redis 7) over `REDIS_SHARDS` channels
 * `<prefix>events:{n}` (src/bus/shards.ts), so each message is stored and forwarded by one master only instead of
 * being broadcast over the cluster bus to every node. A batch is split by shard; the wire format is wire.ts's.
 *
 * Publishes go through an ioredis `Cluster`, which routes SPUBLISH by the channel's slot. Subscriptions do not use
 * ioredis' own sharded subscribers (`shardedSubscribers: true`): in 5.9 they are never pinged (a half-open one goes
 * unnoticed), they report "ready" before SSUBSCRIBE is answered, a failed re-subscribe is only debug-logged, and the
 * SUNSUBSCRIBE a demoted master pushes after a failover is taken for the answer to some other command. So this bus
 * keeps one plain subscriber connection per master that owns one of its shards, moves a shard when the slot map says
 * its owner changed, and reports a gap (every socket gets RESYNC) once every shard is subscribed again after any
 * shard was lost: a failover, a reshard or a dead connection. The heartbeat pings every subscriber and every master's
 * command connection, and re-reads the slot map, every `heartbeatMs`.
 */
import Redis, { Cluster } from 'ioredis';
import type { Logger } from '../log.ts';
import { defaultRedisTiming, type RedisConfig } from '../config.ts';
import type { Bus, BusMessage } from './messages.ts';
import { shardChannel, splitByShard } from './shards.ts';
import { createBusDecoder, encodeBusMessage } from './wire.ts';
import { createHeartbeat } from './heartbeat.ts';

export interface ClusterBusOptions extends Partial<Pick<RedisConfig, 'commandTimeoutMs' | 'heartbeatMs' | 'maxPendingPublishes' | 'shards'>> {
  /** Seeds, as redis:// or rediss:// URLs; credentials and TLS are taken from the first. */
  nodes: string[];
  prefix?: string;
  log: Logger;
  /** This process's id on the bus (random when unset): its own echoes are dropped by it (see wire.ts). */
  origin?: string | undefined;
  /** Shards to subscribe to; every shard when unset. Only the measurement in docs/decisions.md sets it. */
  subscribeTo?: number[] | undefined;
}

interface Subscriber {
  key: string;
  redis: Redis;
  shards: Set<number>;
}

/** Connects to the cluster and subscribes every shard at its owning master; resolves once all are subscribed. */
export async function createClusterBus(options: ClusterBusOptions): Promise<Bus> {
  const { nodes, prefix = 'belfry:', log, origin = crypto.randomUUID() } = options;
  const timing = { ...defaultRedisTiming(), ...definedOnly(options) };
  const { commandTimeoutMs, heartbeatMs, maxPendingPublishes, shards } = timing;
  const wanted = options.subscribeTo ?? Array.from({ length: shards }, (_, shard) => shard);
  const channels = new Map(wanted.map((shard) => [shardChannel(prefix, shard), shard]));
  const seeds = nodes.map((node) => new URL(node));
  const first = seeds[0];
  if (!first) throw new Error('REDIS_CLUSTER_NODES names no node');
  const nodeOptions = {
    username: decodeURIComponent(first.username) || undefined,
    password: decodeURIComponent(first.password) || undefined,
    tls: first.protocol === 'rediss:' ? {} : undefined,
    connectTimeout: commandTimeoutMs,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 2,
    // A second line behind the heartbeat, as on a single Redis.
    keepAlive: 10_000,
  };
  const commands = new Cluster(
    seeds.map((seed) => ({ host: seed.hostname, port: Number(seed.port) })),
    {
      lazyConnect: true,
      // As on a single Redis: a publish while the cluster is away fails at once and its batch stays in the outbox.
      enableOfflineQueue: false,
      // The slot map is what tells a failover apart from a blip: re-read it at the heartbeat's pace.
      slotsRefreshInterval: heartbeatMs,
      slotsRefreshTimeout: commandTimeoutMs,
      clusterRetryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 1000),
      redisOptions: { ...nodeOptions, connectionName: 'belfry-commands' },
    },
  );
  const messageHandlers: ((message: BusMessage) => void)[] = [];
  const gapHandlers: (() => void)[] = [];
  const decode = createBusDecoder(origin);
  const subscribers = new Map<string, Subscriber>();
  /** The master each shard is subscribed at; a shard missing here receives nothing. */
  const subscribedAt = new Map<number, string>();
  /** Shards whose subscription was interrupted since the last gap report. */
  const lost = new Set<number>();
  const slotOf = new Map<number, number>();
  let closing = false;
  let pendingPublishes = 0;

  const receive = (channel: string, raw: string) => {
    if (!channels.has(channel)) return;
    const decoded = decode(raw);
    if (decoded.kind === 'own') return;
    if (decoded.kind === 'not_json') return log.warn({ channel }, 'bus: dropped a message that is not JSON');
    if (decoded.kind === 'malformed') return log.warn({ channel, issues: decoded.issues }, 'bus: dropped a malformed message');
    for (const handler of messageHandlers) handler(decoded.message);
  };

  const loseShards = (subscriber: Subscriber, why: string) => {
    if (subscribers.get(subscriber.key) === subscriber) subscribers.delete(subscriber.key);
    const dropped = [...subscriber.shards].filter((shard) => subscribedAt.get(shard) === subscriber.key);
    for (const shard of dropped) {
      subscribedAt.delete(shard);
      lost.add(shard);
    }
    subscriber.shards.clear();
    if (dropped.length > 0 && !closing) {
      log.warn({ node: subscriber.key, shards: dropped.length, why }, 'bus: shard subscriptions lost; live delivery paused for them');
      scheduleSync();
    }
  };

  const openSubscriber = async (key: string): Promise<Subscriber> => {
    const colon = key.lastIndexOf(':');
    const redis = new Redis({
      ...nodeOptions,
      host: key.slice(0, colon),
      port: Number(key.slice(colon + 1)),
      connectionName: 'belfry-subscriber',
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResubscribe: false,
      // Never reconnect to the same address by itself: after a failover the shard may live elsewhere; sync decides.
      retryStrategy: () => null,
    });
    const subscriber: Subscriber = { key, redis, shards: new Set() };
    redis.on('smessage', receive);
    redis.on('close', () => loseShards(subscriber, 'connection closed'));
    // An ssubscribe the node answers with MOVED is not rejected by ioredis (it times out): re-read the slot map now.
    redis.on('moved', () => commands.refreshSlotsCache());
    redis.on('error', (error: Error) => {
      log.debug({ node: key, err: error.message }, 'bus: redis subscriber error');
      // A demoted master pushes SUNSUBSCRIBE unasked; ioredis then pairs replies with the wrong commands and says so.
      // The connection can no longer be trusted: drop it, and sync subscribes the shard where it lives now.
      if (error.message.startsWith('Command queue state error')) redis.disconnect();
    });
    await redis.connect();
    subscribers.set(key, subscriber);
    return subscriber;
  };

  /** Brings the subscriptions in line with the slot map; reports a gap once nothing is missing any more. */
  const syncOnce = async () => {
    for (const shard of wanted) {
      const owner = commands.slots[slotOf.get(shard)!]?.[0];
      const current = subscribedAt.get(shard);
      if (!owner || current === owner) continue;
      const subscriber = subscribers.get(owner) ?? (await openSubscriber(owner));
      await subscriber.redis.ssubscribe(shardChannel(prefix, shard));
      subscriber.shards.add(shard);
      subscribedAt.set(shard, owner);
      if (current === undefined) continue;
      // The owner changed under a live subscription (failover or reshard): what went to the new owner meanwhile is gone.
      lost.add(shard);
      const previous = subscribers.get(current);
      previous?.shards.delete(shard);
      previous?.redis.sunsubscribe(shardChannel(prefix, shard)).catch(() => {});
    }
    for (const subscriber of subscribers.values()) {
      if (subscriber.shards.size > 0) continue;
      subscribers.delete(subscriber.key);
      subscriber.redis.disconnect();
    }
    if (lost.size === 0 || wanted.some((shard) => !subscribedAt.has(shard))) return;
    log.info({ shards: lost.size }, 'bus: every shard subscribed again; clients told to resync');
    lost.clear();
    for (const handler of gapHandlers) handler();
  };

  let syncing = false;
  let syncAgain = false;
  function scheduleSync() {
    if (closing) return;
    if (syncing) return void (syncAgain = true);
    syncing = true;
    void (async () => {
      do {
        syncAgain = false;
        await syncOnce().catch((error: unknown) => log.debug({ err: (error as Error)?.message }, 'bus: shard sync failed; retrying at the next heartbeat'));
      } while (syncAgain && !closing);
      syncing = false;
    })();
  }

  commands.on('error', (error: Error) => log.debug({ err: error.message }, 'bus: redis cluster error'));
  commands.on('node error', (error: Error, node: string) => log.debug({ node, err: error?.message }, 'bus: redis node error'));
  commands.on('refresh', scheduleSync);

  try {
    await commands.connect();
    const slots = await Promise.all(wanted.map((shard) => commands.cluster('KEYSLOT', shardChannel(prefix, shard))));
    wanted.forEach((shard, index) => slotOf.set(shard, Number(slots[index])));
    await syncOnce();
    const uncovered = wanted.filter((shard) => !subscribedAt.has(shard));
    if (uncovered.length > 0) throw new Error(`redis cluster: no master owns the slot of shard ${uncovered[0]} (cluster_state not ok?)`);
  } catch (error) {
    closing = true;
    for (const subscriber of subscribers.values()) subscriber.redis.disconnect();
    commands.disconnect();
    throw error;
  }

  // A subscriber's close loses its shards (sync resubscribes); a command connection is recreated by the Cluster.
  const beat = createHeartbeat({ log, closing: () => closing, drop: (connection) => connection.disconnect() });
  const heartbeat = setInterval(() => {
    for (const subscriber of subscribers.values()) void beat(subscriber.redis, `subscriber ${subscriber.key}`);
    for (const node of commands.nodes('master')) void beat(node, `commands ${node.options.host}:${node.options.port}`);
    scheduleSync();
  }, heartbeatMs);
  heartbeat.unref();

  return {
    async publish(message, { echo = true } = {}) {
      if (pendingPublishes >= maxPendingPublishes) throw new Error('bus: too many publishes waiting for redis');
      const parts = splitByShard(message, shards);
      const sent = Promise.all(parts.map(([shard, part]) => commands.spublish(shardChannel(prefix, shard), encodeBusMessage(part, echo ? undefined : origin))));
      // The cap counts what is still held in memory, so it is released when Redis answers, not when the caller gives up.
      pendingPublishes++;
      void sent.then(
        () => pendingPublishes--,
        () => pendingPublishes--,
      );
      // The Cluster retries during a failover (redirections, TRYAGAIN); the caller still hears within the timeout.
      await withDeadline(sent, commandTimeoutMs, 'bus: redis cluster did not take the publish in time');
    },
    onMessage(handler) {
      messageHandlers.push(handler);
    },
    onGap(handler) {
      gapHandlers.push(handler);
    },
    async ping() {
      if (lost.size > 0 || wanted.some((shard) => !subscribedAt.has(shard))) throw new Error('shard subscriptions not ready');
      const masters = commands.nodes('master');
      if (masters.length === 0) throw new Error('no redis cluster master');
      await withDeadline(Promise.all(masters.map((node) => node.ping())), commandTimeoutMs, 'redis cluster did not answer');
    },
    async close() {
      closing = true;
      clearInterval(heartbeat);
      const open = [...subscribers.values()].map((subscriber) => subscriber.redis);
      const quit = Promise.allSettled([...open.map((redis) => redis.quit()), commands.quit()]);
      await Promise.race([quit, Bun.sleep(commandTimeoutMs)]);
      for (const redis of open) redis.disconnect();
      commands.disconnect();
    },
  };
}

function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
