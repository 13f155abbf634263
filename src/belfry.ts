/**
 * startBelfry: wires one belfry process from connections that are already open (Postgres, the bus):
 * ingestor, outbox relay, gateway, app, server, retention. main.ts and the tests both start belfry through it.
 */
import type { Server } from 'bun';
import type { Sql } from './db/client.ts';
import type { Bus } from './bus/messages.ts';
import type { Logger } from './log.ts';
import { createTokenVerifier } from './auth/tokens.ts';
import { createIngestor, type Ingestor } from './ingest/ingestor.ts';
import { startOutboxRelay } from './ingest/outbox-relay.ts';
import { createGateway, type Gateway, type SocketData } from './ws/gateway.ts';
import { createCatchUp } from './ws/catch-up.ts';
import { createMetrics } from './metrics.ts';
import { createApp } from './app.ts';
import { startServer } from './server.ts';
import { startRetention } from './retention.ts';

export interface BelfryOptions {
  sql: Sql;
  bus: Bus;
  log: Logger;
  jwtSecret: string;
  ingestApiKey: string;
  port: number;
  hostname?: string | undefined;
  reusePort?: boolean | undefined;
  staticDir?: string | undefined;
  /** Enables /api/demo (never in production). */
  demo?: boolean | undefined;
  jwksUrl?: string | undefined;
  allowedOrigins?: string[] | undefined;
  corsOrigins?: string[] | undefined;
  maxSocketsPerUser?: number | undefined;
  rateLimits?: { ingestPerSecond: number; userPerSecond: number } | undefined;
  retentionDays?: number | undefined;
  /** This process's id on the bus; pass the one given to createRedisBus so it can drop its own echoes early. */
  origin?: string | undefined;
  /** Outbox relay timing; tests shorten it. */
  relay?: { intervalMs?: number; minAgeMs?: number } | undefined;
}

export interface Belfry {
  server: Server<SocketData>;
  gateway: Gateway;
  ingestor: Ingestor;
  /**
   * Graceful stop: stop accepting, tell sockets to reconnect (1012, with a random delay), let in-flight requests
   * and ingests finish. Connections (Postgres, bus) stay open: the caller owns and closes them.
   */
  stop(options?: { reconnectSpreadMs?: number; timeoutMs?: number }): Promise<void>;
}

/** Starts a belfry process on open connections. */
export function startBelfry(options: BelfryOptions): Belfry {
  const { sql, bus, log, jwtSecret, ingestApiKey } = options;
  const verifyToken = createTokenVerifier(jwtSecret, { jwksUrl: options.jwksUrl });
  const gateway = createGateway({
    verifyToken,
    log,
    catchUp: createCatchUp(sql),
    policy: { maxSocketsPerUser: options.maxSocketsPerUser, allowedOrigins: options.allowedOrigins },
  });
  const metrics = createMetrics(gateway.connections);
  const origin = options.origin ?? crypto.randomUUID();
  const ingestor = createIngestor({
    sql,
    bus,
    log,
    origin,
    deliverLocally: gateway.deliver,
    onCommitted: (rows) => metrics.ingested.inc(rows),
  });
  bus.onMessage((message) => {
    // Notifications this process ingested were delivered to its sockets already.
    if (message.kind === 'notifications' && message.origin === origin) return;
    gateway.deliver(message);
  });
  bus.onGap(() => gateway.resyncAll('bus_reconnected'));
  const stopRelay = startOutboxRelay({ sql, bus, log, ...options.relay });
  const stopRetention = options.retentionDays ? startRetention({ sql, log, days: options.retentionDays }) : () => {};

  const app = createApp({
    sql,
    bus,
    log,
    verifyToken,
    ingestApiKey,
    ingestor,
    metrics,
    rateLimits: options.rateLimits ?? { ingestPerSecond: 20_000, userPerSecond: 20 },
    staticDir: options.staticDir,
    corsOrigins: options.corsOrigins,
    demoJwtSecret: options.demo ? jwtSecret : undefined,
  });
  const server = startServer({
    port: options.port,
    hostname: options.hostname,
    reusePort: options.reusePort,
    fetch: app.fetch,
    gateway,
  });
  gateway.attach(server);

  return {
    server,
    gateway,
    ingestor,
    async stop({ reconnectSpreadMs = 5000, timeoutMs = 8000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      // stop(false) resolves only once every connection is gone, so the sockets are closed before awaiting it.
      const stopped = server.stop(false);
      gateway.closeAll(reconnectSpreadMs);
      while (server.pendingRequests > 0 && Date.now() < deadline) await Bun.sleep(10);
      await ingestor.drain();
      stopRelay();
      stopRetention();
      gateway.stop();
      await Promise.race([stopped, Bun.sleep(Math.max(0, deadline - Date.now()))]);
      await server.stop(true);
    },
  };
}
