/**
 * POST /api/events: service-to-service ingestion with the ingest key. One event or a batch of up to 1000;
 * 201 with the ids in request order once committed.
 */
import { Hono } from 'hono';
import type { z } from 'zod';
import { requireKey } from '../auth/middleware.ts';
import { ingestBodySchema, type ingestResultJson } from '../ingest/event-schema.ts';
import type { Ingestor } from '../ingest/ingestor.ts';
import { jsonBody, methodNotAllowed } from './input.ts';
import { rateLimit } from '../rate-limit.ts';

export interface EventRoutesDeps {
  ingestApiKey: string;
  ingestor: Ingestor;
  rateLimits: { ingestPerSecond: number };
}

/** The routes, to mount at /api/events. */
export function eventRoutes({ ingestApiKey, ingestor, rateLimits }: EventRoutesDeps) {
  const perSecond = rateLimits.ingestPerSecond;
  return new Hono()
    .use(requireKey(ingestApiKey, 'ingest key'))
    // One key today, so one bucket; keyed anyway so per-tenant keys slot in.
    .use(rateLimit({ perSecond, burst: perSecond * 2 }, () => 'ingest'))
    .post('/', async (c) => {
      const body = await jsonBody(c, ingestBodySchema);
      const events = 'events' in body ? body.events : [body];
      // The request's signal aborts when the client disconnects: a request nobody waits for is not inserted.
      const ids = await ingestor.ingest(events, { signal: c.req.raw.signal });
      return c.json({ ids } satisfies z.output<typeof ingestResultJson>, 201);
    })
    .all('/', methodNotAllowed);
}
