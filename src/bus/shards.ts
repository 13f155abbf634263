/**
 * Which shard channel carries a user's messages on a Redis Cluster, and how one bus message is split across them.
 * The mapping is part of the deployment's contract: every process must compute the same shard for a user, so the
 * hash is written out here (32-bit FNV-1a over the id's UTF-8 bytes) rather than borrowed from a runtime whose
 * hash could change between versions. docs/api.md documents it.
 */
import type { BusMessage, BusNotification } from './messages.ts';

const encoder = new TextEncoder();

/** The shard (0 … count − 1) that carries every message about `userId`. */
export function shardOf(userId: string, count: number): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(userId)) hash = Math.imul(hash ^ byte, 0x01000193);
  return (hash >>> 0) % count;
}

/**
 * The channel of one shard. The braces are a Redis hash tag: only the shard number picks the slot, so shard n lands
 * on the same slot whatever the prefix, and the node that owns it is known from the cluster's slot map.
 */
export function shardChannel(prefix: string, shard: number): string {
  return `${prefix}events:{${shard}}`;
}

/**
 * One message per shard it concerns: a batch's items grouped by their user's shard (order kept within a shard);
 * every other kind names one user and goes to that user's shard whole.
 */
export function splitByShard(message: BusMessage, count: number): [shard: number, message: BusMessage][] {
  if (message.kind !== 'notifications') return [[shardOf(message.user_id, count), message]];
  const groups = new Map<number, BusNotification[]>();
  for (const item of message.items) {
    const shard = shardOf(item.user_id, count);
    const group = groups.get(shard);
    if (group) group.push(item);
    else groups.set(shard, [item]);
  }
  return [...groups].map(([shard, items]) => [shard, { kind: 'notifications', items }]);
}
