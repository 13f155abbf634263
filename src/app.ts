/**
 * createApp(deps): the Hono app: request logging, body limits, route mounts, and the one error mapper.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { routePath } from 'hono/route';
import type { Sql } from './db/client.ts';
import type { Bus, BusMessage } from './bus/messages.ts';
import type { Logger } from './log.ts';
import type { VerifyToken } from './auth/tokens.ts';
import type { Ingestor } from './ingest/ingestor.ts';
import type { Metrics } from './metrics.ts';
import type { Limiter } from './rate-limit.ts';
import { AppError, errorBody, toAppError } from './errors.ts';
import { requireMetricsAccess } from './auth/middleware.ts';
import { methodNotAllowed } from './routes/input.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { eventRoutes } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { demoRoutes } from './routes/demo.ts';
import { staticRoutes } from './routes/static.ts';
import { userRoutes } from './routes/users.ts';
import { openApiRoutes } from './openapi/route.ts';
import { preferenceRoutes } from './routes/preferences.ts';

export interface AppDeps {
  sql: Sql;
  bus: Bus;
  log: Logger;
  verifyToken: VerifyToken;
  keys: { ingestApiKey: string; adminApiKey: string | undefined; metricsToken: string | undefined };
  ingestor: Ingestor;
  metrics: Metrics;
  rateLimits: { ingestPerSecond: number; userPerSecond: number };
  /** The per-user request budget, shared with the user's socket frames. */
  userLimiter: Limiter;
  /** Delivers a bus message to this process's sockets at once, without waiting for the bus. */
  deliverLocally: (message: BusMessage) => void;
  /** The built panel; undefined: nothing is served at `/`. */
  staticDir: string | undefined;
  /** Origins allowed to embed the panel and call the user API from their pages (CORS). */
  corsOrigins: string[];
  /** Origins that may open a socket with the cookie; the panel's CSP lets pages connect to them. */
  allowedOrigins: string[];
  /** True once a shutdown began (/readyz fails so a balancer stops sending new connections). */
  isDraining: () => boolean;
  /** Set in demo mode only: enables the demo page and /api/demo, signing with this secret. */
  demo: { jwtSecret: string; audience: string | undefined; tokenTtlSeconds: number } | undefined;
}

const kib = 1024;

function limit(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError(413, 'payload_too_large', `The body is larger than ${maxSize / kib} KiB`);
    },
  });
}

/** Builds the HTTP app (everything but the /ws upgrade, which server.ts handles). */
export function createApp(deps: AppDeps) {
  const { log } = deps;
  const app = new Hono();

  app.use(async (c, next) => {
    // Nothing to build per request when request lines are not logged (LOG_LEVEL above info, as in production load).
    if (!log.isLevelEnabled('info')) return next();
    const started = performance.now();
    await next();
    // The route pattern, never the path: a path may hold a user id, a query string a token. After next(), the
    // current route is the one that answered; the last matched one (-1) is the panel's catch-all middleware.
    log.info({ method: c.req.method, route: routePath(c), status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  app.use('/api/events', limit(4096 * kib));
  const smallBody = limit(16 * kib);
  app.use('/api/*', async (c, next) => (c.req.path === '/api/events' ? next() : smallBody(c, next)));

  if (deps.corsOrigins.length) {
    // Registered before the routes so a preflight is answered before authentication asks for a token.
    const policy = cors({
      origin: deps.corsOrigins,
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowHeaders: ['Authorization', 'Content-Type'],
      exposeHeaders: ['X-Next-Cursor', 'Link', 'Retry-After'],
      maxAge: 600,
    });
    for (const path of ['/api/notifications', '/api/notifications/*', '/api/preferences', '/belfry-bell.js', '/assets/*']) app.use(path, policy);
  }
  app.route('/', healthRoutes(deps));
  app.route('/', openApiRoutes());
  app.get('/metrics', requireMetricsAccess(deps.keys.metricsToken), async (c) =>
    c.text(await deps.metrics.registry.metrics(), 200, { 'Content-Type': deps.metrics.registry.contentType }),
  );
  app.all('/metrics', methodNotAllowed);
  app.route('/api/notifications', notificationRoutes(deps));
  app.route('/api/preferences', preferenceRoutes(deps));
  app.route('/api/events', eventRoutes({ ...deps, ingestApiKey: deps.keys.ingestApiKey }));
  app.route('/api/users', userRoutes({ ...deps, adminApiKey: deps.keys.adminApiKey }));
  if (deps.demo) app.route('/api/demo', demoRoutes({ ...deps, ...deps.demo }));
  if (deps.staticDir) app.route('/', staticRoutes(deps.staticDir, { crossOrigin: deps.corsOrigins.length > 0, demo: Boolean(deps.demo), connectOrigins: [...deps.corsOrigins, ...deps.allowedOrigins] }));

  app.notFound(() => {
    throw new AppError(404, 'not_found', 'Not found');
  });
  app.onError((error, c) => {
    const appError = toAppError(error);
    if (appError.status >= 500) log.error({ err: error, route: routePath(c) }, 'request failed');
    if (appError.retryAfterSeconds !== undefined) c.header('Retry-After', String(appError.retryAfterSeconds));
    return c.json(errorBody(appError), appError.status);
  });
  return app;
}
