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
import { createGateway, type Gateway } from './ws/gateway.ts';
import { createSession } from './ws/session.ts';
import { createUpgrade } from './ws/upgrade.ts';
import type { SocketData } from './ws/socket-data.ts';
import { createCatchUp } from './ws/catch-up.ts';
import { createMuteCache } from './ws/mute-cache.ts';
import { getMutesOf } from './db/preferences.ts';
import { createUserLimiter } from './rate-limit.ts';
import { createMetrics } from './metrics.ts';
import { answers } from './routes/health.ts';
import { outboxDepth } from './db/outbox.ts';
import { createApp } from './app.ts';
import { startServer } from './server.ts';
import { startRetention } from './retention.ts';
import type { AuthConfig, HttpConfig, LimitsConfig, RelayConfig, ShutdownConfig } from './config.ts';

/** What a process needs, grouped as in Config; main.ts and the tests both build it from loadConfig. */
export interface BelfryOptions {
  sql: Sql;
  bus: Bus;
  log: Logger;
  /** Resolved secrets: configured, or generated outside production. */
  keys: { jwtSecret: string; ingestApiKey: string; adminApiKey: string | undefined; metricsToken: string | undefined };
  auth: AuthConfig;
  http: Omit<HttpConfig, 'staticDir'> & {
    /** The built panel served at `/`; undefined: no panel. */
    staticDir: string | undefined;
    /** Lets several processes share the port (cluster mode). */
    reusePort: boolean;
  };
  limits: LimitsConfig;
  relay: RelayConfig;
  retentionDays: number | undefined;
  /** Enables the demo page and /api/demo (see Config.demo). */
  demo: boolean;
}

export interface Belfry {
  server: Server<SocketData>;
  gateway: Gateway;
  ingestor: Ingestor;
  /**
   * Graceful stop: fail /readyz for `drainMs` while still serving, then stop accepting, tell sockets to reconnect
   * (1012, with a random delay), let in-flight requests and ingests finish, all within `timeoutMs`.
   * Connections (Postgres, bus) stay open: the caller owns and closes them.
   */
  stop(options: ShutdownConfig): Promise<void>;
}

/** Starts a belfry process on open connections. */
export function startBelfry(options: BelfryOptions): Belfry {
  const { sql, bus, log, keys } = options;
  const verifyToken = createTokenVerifier(keys.jwtSecret, options.auth);
  const metrics = createMetrics({
    connections: () => gateway.connections(),
    outboxDepth: () => outboxDepth(sql),
    dependencies: async () => {
      const [postgres, bus] = await Promise.all([answers(() => sql`select 1`), answers(() => options.bus.ping())]);
      return { postgres, bus };
    },
  });
  const mutes = createMuteCache((userIds) => getMutesOf(sql, userIds));
  const gateway = createGateway({ log, mutes, onDelivered: metrics.delivered, onDropped: () => metrics.framesDropped.inc() });
  // REST calls and socket frames of a user draw from one budget.
  const userLimiter = createUserLimiter(options.limits.userPerSecond);
  const session = createSession({
    verifyToken,
    log,
    gateway,
    limiter: userLimiter,
    catchUp: createCatchUp(sql),
    onClose: (code) => metrics.socketsClosed.inc({ code: String(code) }),
  });
  const upgrade = createUpgrade({
    verifyToken,
    policy: { maxSocketsPerUser: options.limits.maxSocketsPerUser, allowedOrigins: options.http.allowedOrigins },
    socketsOf: gateway.socketsOf,
    beforeOpen: (userId) => mutes.load(userId),
  });
  const ingestor = createIngestor({
    sql,
    bus,
    log,
    deliverLocally: gateway.deliver,
    onCommitted: (rows) => metrics.ingested.inc(rows),
    onPublishFailed: () => metrics.publishFailures.inc(),
    queueTimeoutMs: options.limits.ingestQueueTimeoutMs,
    maxQueued: options.limits.ingestQueueMax,
  });
  // The bus does not hand back what this process published with `echo: false`: its sockets have it already.
  bus.onMessage((message) => gateway.deliver(message));
  bus.onGap(() => gateway.resyncAll('bus_reconnected'));
  const stopRelay = startOutboxRelay({
    sql,
    bus,
    log,
    ...options.relay,
    onRelayed: (count) => metrics.relayed.inc(count),
    onPublishFailed: () => metrics.publishFailures.inc(),
  });
  const stopRetention = options.retentionDays ? startRetention({ sql, log, days: options.retentionDays }) : () => {};
  let draining = false;

  const app = createApp({
    sql,
    bus,
    log,
    verifyToken,
    keys,
    ingestor,
    metrics,
    rateLimits: options.limits,
    userLimiter,
    deliverLocally: gateway.deliver,
    staticDir: options.http.staticDir,
    corsOrigins: options.http.corsOrigins,
    allowedOrigins: options.http.allowedOrigins,
    isDraining: () => draining,
    // Twelve hours of demo session, unless JWT_MAX_TTL allows less.
    demo: options.demo
      ? { jwtSecret: keys.jwtSecret, audience: options.auth.audience, tokenTtlSeconds: Math.min(12 * 3600, options.auth.maxTokenTtlSeconds) }
      : undefined,
  });
  const server = startServer({
    port: options.http.port,
    hostname: options.http.host,
    reusePort: options.http.reusePort,
    fetch: app.fetch,
    upgrade,
    websocket: session.websocket,
  });
  gateway.attach(server);

  return {
    server,
    gateway,
    ingestor,
    async stop({ reconnectSpreadMs, timeoutMs, drainMs }) {
      const deadline = Date.now() + timeoutMs;
      // A balancer sends new requests and sockets here until its health check sees /readyz fail; closing sockets
      // before then would have clients reconnect through it to this very process.
      draining = true;
      if (drainMs > 0) {
        log.info({ drainMs }, 'draining: /readyz fails while requests are still served');
        await Bun.sleep(Math.min(drainMs, Math.max(0, deadline - Date.now())));
      }
      // stop(false) resolves only once every connection is gone, so the sockets are closed before awaiting it.
      const stopped = server.stop(false);
      gateway.closeAll(reconnectSpreadMs);
      while (server.pendingRequests > 0 && Date.now() < deadline) await Bun.sleep(10);
      await ingestor.drain({ timeoutMs: Math.max(0, deadline - Date.now()) });
      stopRelay();
      stopRetention();
      session.stop();
      userLimiter.stop();
      metrics.stop();
      await Promise.race([stopped, Bun.sleep(Math.max(0, deadline - Date.now()))]);
      await server.stop(true);
    },
  };
}
