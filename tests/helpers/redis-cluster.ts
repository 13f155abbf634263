/**
 * A throwaway Redis Cluster on loopback: 6 redis-server processes (3 masters, 3 replicas) keeping nothing on disk but
 * their nodes.conf in a temporary folder, for tests of the sharded bus. Ports are below 32768 with their cluster-bus
 * port (+10000) free too. Every wait has a deadline; `stop` kills them all.
 */
import Redis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portIsFree } from './services.ts';

export interface ClusterNode {
  port: number;
  /** `127.0.0.1:<port>`, as the cluster names it in its slot map. */
  key: string;
}

export interface RedisCluster {
  /** `host:port` of every node, as REDIS_CLUSTER_NODES takes them. */
  seeds: string[];
  /** The master that owns `slot` now, and its replica. */
  ownerOf(slot: number): Promise<{ master: ClusterNode; replica: ClusterNode | undefined }>;
  /** The slot Redis computes for a key or channel. */
  slotOf(key: string): Promise<number>;
  /** `CLUSTER FAILOVER` on the replica; resolves when it is a master and the cluster is ok. */
  failover(replica: ClusterNode): Promise<void>;
  /** SIGSTOP one node: its connections stay open and answer nothing (half-open, as far as a client can tell). */
  pause(node: ClusterNode): void;
  /** SIGCONT a paused node. */
  resume(node: ClusterNode): void;
  /** SIGKILL one node; resolves when its slots have a new master and the cluster is ok on the others. */
  kill(node: ClusterNode): Promise<void>;
  stop(): Promise<void>;
}

/** A port in 10000–22767 whose cluster-bus port (+10000) is free too, so both stay below 32768. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * 12_768);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 10_000))) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port pair for a redis cluster node');
}

async function until<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`redis cluster: ${what} not within ${deadlineMs} ms`);
    await Bun.sleep(100);
  }
}

const connect = (port: number) => new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000, commandTimeout: 2000 });

async function ask<T>(port: number, command: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = connect(port);
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await command(redis);
  } finally {
    redis.disconnect();
  }
}

const slotRanges = (port: number) => ask(port, (redis) => redis.cluster('SLOTS'));
const ownerSeenBy = async (port: number, slot: number) => (await slotRanges(port)).find(([from, to]) => slot >= from && slot <= to)?.[2]?.[1];

const clusterOk = (port: number) => ask(port, (redis) => redis.cluster('INFO')).then((info) => (String(info).includes('cluster_state:ok') ? true : undefined));

/** Starts the cluster; resolves when every node reports cluster_state:ok and every replica is attached. */
export async function startRedisCluster({ nodeTimeoutMs = 1000 }: { nodeTimeoutMs?: number } = {}): Promise<RedisCluster> {
  const binary = Bun.which('redis-server');
  const cli = Bun.which('redis-cli');
  if (!binary || !cli) throw new Error('redis-server and redis-cli must be on PATH (Debian: apt-get install -y redis-server)');
  const dir = mkdtempSync(join(tmpdir(), 'belfry-redis-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < 6; i++) ports.push(await freeClusterPort(taken));
  const children = new Map(
    ports.map((port) => [
      port,
      Bun.spawn(
        [binary, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--cluster-enabled', 'yes',
          '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', String(nodeTimeoutMs), '--dir', dir],
        { stdio: ['ignore', 'ignore', 'ignore'] },
      ),
    ]),
  );
  const stop = async () => {
    for (const child of children.values()) child.kill('SIGCONT');
    for (const child of children.values()) child.kill('SIGKILL');
    await Promise.all([...children.values()].map((child) => child.exited));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) await until(`node ${port} answering`, 5000, () => ask(port, (redis) => redis.ping()));
    const create = await Bun.$`${cli} --cluster create ${ports.map((port) => `127.0.0.1:${port}`)} --cluster-replicas 1 --cluster-yes`.nothrow().quiet();
    if (create.exitCode !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    for (const port of ports) await until(`cluster_state:ok on ${port}`, 15_000, () => clusterOk(port));
    // Replicas must be attached, or a failover in the test has no replica to promote.
    await until('3 replicas attached', 15_000, async () => {
      const roles = await Promise.all(ports.map((port) => ask(port, (redis) => redis.role())));
      const synced = roles.filter((role) => role[0] === 'slave' && role[3] === 'connected').length;
      return synced === 3 ? true : undefined;
    });
  } catch (error) {
    await stop();
    throw error;
  }

  const node = (port: number): ClusterNode => ({ port, key: `127.0.0.1:${port}` });
  const alive = () => [...children].filter(([, child]) => child.exitCode === null && !child.killed).map(([port]) => port);

  /** Every live node says ok and (when given) agrees that `master` owns what it owns. */
  const settled = async (master: number | undefined) => {
    const slot = master === undefined ? undefined : (await slotRanges(master)).find((range) => range[2]?.[1] === master)?.[0];
    for (const port of alive()) {
      await until(`cluster_state:ok on ${port}`, 15_000, () => clusterOk(port));
      if (slot !== undefined) await until(`${port} to see the new master`, 15_000, async () => ((await ownerSeenBy(port, slot)) === master ? true : undefined));
    }
  };

  const cluster: RedisCluster = {
    seeds: ports.map((port) => `127.0.0.1:${port}`),
    async slotOf(key) {
      return Number(await ask(alive()[0]!, (redis) => redis.cluster('KEYSLOT', key)));
    },
    async ownerOf(slot) {
      // CLUSTER SLOTS leaves out replicas that have no replication offset yet (nothing written): read CLUSTER NODES.
      const lines = String(await ask(alive()[0]!, (redis) => redis.cluster('NODES'))).trim().split('\n').map((line) => line.split(' '));
      const owns = (ranges: string[]) => ranges.some((range) => {
        const [from, to] = range.split('-').map(Number);
        return from !== undefined && !Number.isNaN(from) && slot >= from && slot <= (to ?? from);
      });
      const master = lines.find((fields) => fields[2]!.includes('master') && !fields[2]!.includes('fail') && owns(fields.slice(8)));
      if (!master) throw new Error(`redis cluster: nobody owns slot ${slot}`);
      const replica = lines.find((fields) => fields[2]!.includes('slave') && !fields[2]!.includes('fail') && fields[3] === master[0]);
      const port = (fields: string[]) => Number(fields[1]!.split('@')[0]!.split(':')[1]);
      return { master: node(port(master)), replica: replica ? node(port(replica)) : undefined };
    },
    async failover(replica) {
      await ask(replica.port, (redis) => redis.cluster('FAILOVER'));
      await until(`${replica.key} promoted`, 10_000, () => ask(replica.port, (redis) => redis.role()).then((role) => (role[0] === 'master' ? true : undefined)));
      await settled(replica.port);
    },
    pause(paused) {
      children.get(paused.port)?.kill('SIGSTOP');
    },
    resume(paused) {
      children.get(paused.port)?.kill('SIGCONT');
    },
    async kill(victim) {
      const [owned] = (await slotRanges(victim.port)).filter((range) => range[2]?.[1] === victim.port);
      const child = children.get(victim.port);
      child?.kill('SIGKILL');
      await child?.exited;
      if (!owned) return;
      // Until node-timeout passes the others still call the dead node master and the state ok: wait for the new owner.
      await until(`a new master for ${victim.key}'s slots`, 15_000, async () => {
        const owner = await ownerSeenBy(alive()[0]!, owned[0]);
        return owner !== undefined && owner !== victim.port ? owner : undefined;
      });
      await settled(undefined);
    },
    stop,
  };
  return cluster;
}
