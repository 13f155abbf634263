/**
 * The shape of an ingested event, shared by POST /api/events and the demo route.
 */
import { z } from 'zod';
import { userIdSchema } from '../auth/tokens.ts';

const noControl = /^[^\u0000-\u001f\u007f]+$/;
// Postgres text cannot hold NUL; everything else in a message is the sender's business.
const noNul = /^[^\u0000]*$/;
// Lone surrogates would be stored as U+FFFD: two different keys could collide, a type or message change.
const wellFormed = (value: string) => value.isWellFormed();
const wellFormedMessage = 'must be well-formed Unicode (no lone surrogates)';

export const eventSchema = z.strictObject({
  user_id: userIdSchema,
  type: z.string().min(1).max(64).regex(noControl, 'must not contain control characters').refine(wellFormed, wellFormedMessage),
  message: z.string().min(1).max(4000).regex(noNul, 'must not contain NUL characters').refine(wellFormed, wellFormedMessage),
  idempotency_key: z.string().min(1).max(255).regex(noNul, 'must not contain NUL characters').refine(wellFormed, wellFormedMessage).optional(),
});

export const maxBatch = 1000;

/** One event, or `{ events: [...] }` with 1–1000 of them. */
export const ingestBodySchema = z.union([
  z.strictObject({ events: z.array(eventSchema).min(1).max(maxBatch) }),
  eventSchema,
]);

export type IngestEvent = z.infer<typeof eventSchema>;

/** A notification id as clients see it: a decimal string (int8 in Postgres, too wide for a JSON number). */
export const notificationIdJson = z.string().regex(/^[1-9][0-9]*$/);

/** The 201 body of an ingest: the ids in request order. */
export const ingestResultJson = z.strictObject({ ids: z.array(notificationIdJson) });
