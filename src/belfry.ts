/**
 * startBelfry: wires one belfry process from connections that are already open (Postgres, the bus):
 * ingestor, gateway, app, server. main.ts and the tests both start belfry through it.
 */
import type { Server } from 'bun';
import type { Sql } from './db/client.ts';
import type { Bus } from './bus/messages.ts';
import type { Logger } from './log.ts';
import { createTokenVerifier } from './auth/tokens.ts';
import { createIngestor, type Ingestor } from './ingest/ingestor.ts';
import { createGateway, type Gateway, type SocketData } from './ws/gateway.ts';
import { createMetrics } from './metrics.ts';
import { createApp } from './app.ts';
import { startServer } from './server.ts';

export interface BelfryOptions {
  sql: Sql;
  bus: Bus;
  log: Logger;
  jwtSecret: string;
  ingestApiKey: string;
  port: number;
  hostname?: string;
  reusePort?: boolean;
  staticDir?: string;
  /** Enables /api/demo (never in production). */
  demo?: boolean;
}

export interface Belfry {
  server: Server<SocketData>;
  gateway: Gateway;
  ingestor: Ingestor;
  /** Stops accepting, closes sockets and waits for in-flight ingests. Connections stay open: the caller owns them. */
  stop(): Promise<void>;
}

/** Starts a belfry process on open connections. */
export function startBelfry(options: BelfryOptions): Belfry {
  const { sql, bus, log, jwtSecret, ingestApiKey } = options;
  const verifyToken = createTokenVerifier(jwtSecret);
  const gateway = createGateway({ verifyToken, log });
  const metrics = createMetrics(gateway.connections);
  const ingestor = createIngestor({ sql, bus, log, onCommitted: (rows) => metrics.ingested.inc(rows) });
  bus.onMessage(gateway.deliver);
  bus.onGap(() => gateway.resyncAll('bus_reconnected'));

  const app = createApp({
    sql,
    bus,
    log,
    verifyToken,
    ingestApiKey,
    ingestor,
    metrics,
    staticDir: options.staticDir,
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
    async stop() {
      await server.stop(true);
      await ingestor.drain();
    },
  };
}
