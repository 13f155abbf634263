/**
 * The shape of an ingested event, shared by POST /api/events and the demo route.
 */
import { z } from 'zod';
import { userIdSchema } from '../auth/tokens.ts';

const noControl = /^[^\u0000-\u001f\u007f]+$/;
// Postgres text cannot hold NUL; everything else in a message is the sender's business.
const noNul = /^[^\u0000]*$/;

export const eventSchema = z.strictObject({
  user_id: userIdSchema,
  type: z.string().min(1).max(64).regex(noControl, 'must not contain control characters'),
  message: z.string().min(1).max(4000).regex(noNul, 'must not contain NUL characters'),
  idempotency_key: z.string().min(1).max(255).regex(noNul, 'must not contain NUL characters').optional(),
});

export const maxBatch = 1000;

/** One event, or `{ events: [...] }` with 1–1000 of them. */
export const ingestBodySchema = z.union([
  z.strictObject({ events: z.array(eventSchema).min(1).max(maxBatch) }),
  eventSchema,
]);

export type IngestEvent = z.infer<typeof eventSchema>;
