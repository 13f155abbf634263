/**
 * POST /api/events: service-to-service ingestion with the ingest key. One event or a batch of up to 1000, each for
 * one user or for many (`user_ids`), at most 1000 rows in all; 201 with the ids in order of expansion once committed.
 */
import { Hono } from 'hono';
import type { z } from 'zod';
import { requireKey } from '../auth/middleware.ts';
import { expandEvents, ingestBodySchema, type ingestResultJson } from '../ingest/event-schema.ts';
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
      // One request, one insert, one commit, however many users it names. The request's signal aborts when the
      // client disconnects: a request nobody waits for is not inserted.
      const ids = await ingestor.ingest(expandEvents(body), { signal: c.req.raw.signal });
      return c.json({ ids } satisfies z.output<typeof ingestResultJson>, 201);
    })
    .all('/', methodNotAllowed);
}
