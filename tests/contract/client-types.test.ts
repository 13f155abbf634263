/**
 * The client's hand-written types against the server's own: the assertions below are checked by `tsc --noEmit`,
 * so a field added to the event schema, a new error code or a change of the 201 body fails the type check.
 */
import { expect, test } from 'bun:test';
import type { z } from 'zod';
import type { ExtractSchema } from 'hono/types';
import { eventSchema, ingestBodySchema, maxBatch } from '../../src/ingest/event-schema.ts';
import type { ErrorCode, ErrorDetail as ServerErrorDetail } from '../../src/errors.ts';
import type { eventRoutes } from '../../src/routes/events.ts';
import { maxBatchSize, type BelfryErrorCode, type BelfryEvent, type ErrorDetail, type IngestResult } from '../../src/client/index.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

type CreatedBody = Extract<ExtractSchema<ReturnType<typeof eventRoutes>>['/']['$post'], { status: 201 }>['output'];

export type TypesInStep = [
  Expect<Equal<BelfryEvent, z.input<typeof eventSchema>>>,
  Expect<Equal<BelfryEvent, z.output<typeof eventSchema>>>,
  Expect<Equal<IngestResult, CreatedBody>>,
  Expect<Equal<ErrorDetail, ServerErrorDetail>>,
  // Every server code is known to the client; the client adds only its own `unexpected_response`.
  Expect<Equal<BelfryErrorCode, ErrorCode | 'unexpected_response'>>,
];

test('the client chunks at the server batch limit', () => {
  expect(maxBatchSize).toBe(maxBatch);
});

test('an event typed by the client passes the server schema, as one event and in a batch', () => {
  const event: BelfryEvent = { user_id: 'alice', type: 'comment', message: 'hello', idempotency_key: 'k-1' };
  expect(eventSchema.parse(event)).toEqual(event);
  expect(ingestBodySchema.safeParse({ events: [event, { ...event, idempotency_key: undefined }] }).success).toBe(true);
});
