/**
 * The shard mapping of the Redis Cluster bus is a contract between processes (and versions): pinned here against
 * published FNV-1a test vectors, with the split of a batch and the settings that choose the cluster bus.
 */
import { expect, test } from 'bun:test';
import { shardChannel, shardOf, splitByShard } from '../../src/bus/shards.ts';
import { loadConfig } from '../../src/config.ts';

test('a user’s shard is 32-bit FNV-1a of the id’s UTF-8 bytes, modulo the shard count', () => {
  // FNV-1a 32: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
  expect(shardOf('', 1024)).toBe(0x811c9dc5 % 1024);
  expect(shardOf('a', 1000)).toBe(0xe40c292c % 1000);
  expect(shardOf('foobar', 1000)).toBe(0xbf9cf968 % 1000);
  expect(shardOf('alice', 16)).toBe(7);
  expect(shardOf('é', 16)).toBe(shardOf('\u00e9', 16));
  expect(shardOf('anyone', 1)).toBe(0);
});

test('the channel carries the shard as a hash tag', () => {
  expect(shardChannel('belfry:', 7)).toBe('belfry:events:{7}');
});

test('a batch is split by shard, order kept within each; other kinds go whole to their user’s shard', () => {
  const item = (id: string, user_id: string) => ({ id, user_id, type: 't', message: 'm', created_at: '2026-01-01T00:00:00.000Z' });
  const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
  const items = users.flatMap((user, i) => [item(String(2 * i), user), item(String(2 * i + 1), user)]);
  const parts = splitByShard({ kind: 'notifications', items }, 8);
  expect(new Set(parts.map(([shard]) => shard)).size).toBe(parts.length);
  for (const [shard, part] of parts) {
    if (part.kind !== 'notifications') throw new Error('kind changed');
    expect(part.items.every((entry) => shardOf(entry.user_id, 8) === shard)).toBe(true);
    expect(part.items.map((entry) => Number(entry.id))).toEqual([...part.items.map((entry) => Number(entry.id))].sort((a, b) => a - b));
  }
  expect(parts.flatMap(([, part]) => (part.kind === 'notifications' ? part.items : [])).length).toBe(items.length);
  expect(splitByShard({ kind: 'erased', user_id: 'alice' }, 16)).toEqual([[7, { kind: 'erased', user_id: 'alice' }]]);
});

test('REDIS_CLUSTER_NODES takes host:port seeds or URLs, excludes REDIS_URL, and counts for WORKERS', () => {
  const config = loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis://:secret@10.0.0.2:7001', WORKERS: '2', PORT: '3000' });
  expect(config.redis.clusterNodes).toEqual(['redis://10.0.0.1:7000', 'redis://:secret@10.0.0.2:7001']);
  expect(config.redis.shards).toBe(16);
  expect(loadConfig({}).redis.clusterNodes).toEqual([]);
  expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1' })).toThrow('REDIS_CLUSTER_NODES');
  expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_URL: 'redis://r' })).toThrow('not both');
  expect(() => loadConfig({ REDIS_SHARDS: '0' })).toThrow('REDIS_SHARDS');
});
