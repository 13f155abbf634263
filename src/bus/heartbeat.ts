/**
 * The Redis heartbeat: a PING per connection, one at a time; a connection that does not answer within the command
 * timeout is dropped so ioredis reconnects it (and a subscriber's reconnect reports a gap). A half-open TCP
 * connection otherwise looks healthy for as long as the kernel keeps it.
 */
import type Redis from 'ioredis';
import type { Logger } from '../log.ts';

export interface HeartbeatOptions {
  log: Logger;
  /** True once the bus is closing: no more pings, and a failed one is expected. */
  closing: () => boolean;
  /** Drops a connection that missed its ping, however this bus reconnects it. */
  drop: (connection: Redis) => void;
}

/** Returns `beat(connection, name)`, which pings the connection unless it is reconnecting or already being pinged. */
export function createHeartbeat({ log, closing, drop }: HeartbeatOptions) {
  const beating = new Set<Redis>();
  return async (connection: Redis, name: string): Promise<void> => {
    // A connection that is not ready is reconnecting already.
    if (closing() || connection.status !== 'ready' || beating.has(connection)) return;
    beating.add(connection);
    try {
      await connection.ping();
    } catch (error) {
      if (closing()) return;
      log.warn({ connection: name, err: (error as Error)?.message }, 'bus: redis did not answer the heartbeat; reconnecting');
      drop(connection);
    } finally {
      beating.delete(connection);
    }
  };
}
