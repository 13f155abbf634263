/**
 * Errors: throw an AppError anywhere, and one mapper turns any error into the JSON error shape.
 * Nothing else writes error responses, so no stack, SQL or token can leak through a forgotten path.
 */
import { z } from 'zod';

export const errorCodes = [
  'bad_request',
  'forbidden',
  'forbidden_origin',
  'too_many_connections',
  'upgrade_required',
  'invalid_json',
  'validation_failed',
  'unauthorized',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  'outcome_unknown',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorDetail {
  path: string;
  message: string;
}

/** The JSON error shape every error response has; published in /openapi.json. */
export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(errorCodes),
    message: z.string(),
    details: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  }),
});

/** An error with an HTTP status and a stable code, safe to show to the client as it is. */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 413 | 415 | 426 | 429 | 500 | 503,
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    /** Sent as Retry-After (seconds) with the response. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Builds the validation error for a failed zod parse, one detail per issue. */
export function validationError(error: z.ZodError, message = 'Request is invalid'): AppError {
  const details = error.issues.slice(0, 50).map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  return new AppError(400, 'validation_failed', message, details);
}

/**
 * Postgres error codes that mean "the database is not there right now", not "the request is bad": connection
 * failures, shutdown, too many connections, a statement cancelled by statement_timeout (57014), and the conflicts
 * a retry resolves (deadlock 40P01, serialization failure 40001) once the ingestor's own retries ran out.
 */
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '57014',
  '40P01',
  '40001',
]);

/** The 503 for a backing service that is away or overloaded; the client may retry after `retryAfterSeconds`. */
export function unavailable(message = 'A backing service is unavailable; nothing was changed. Retry later.', retryAfterSeconds = 1): AppError {
  return new AppError(503, 'unavailable', message, undefined, retryAfterSeconds);
}

/**
 * The 503 for an insert whose connection broke after the statement was sent: it may have committed. Only a retry
 * that carries the same idempotency keys is safe; one without them may store the events twice.
 */
export function outcomeUnknown(): AppError {
  return new AppError(
    503,
    'outcome_unknown',
    'The connection to the database broke before its answer arrived: these events may or may not have been stored. ' +
      'Retry with the same idempotency_key on each event to be safe; a retry without one may store them twice.',
    undefined,
    1,
  );
}

/** Maps any thrown value to an AppError; unknown errors become `internal` and should be logged by the caller. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && unavailableCodes.has(code)) return unavailable();
  // Characters Postgres cannot store (a NUL slipping past validation, broken encodings): the input is bad.
  if (code === '22P05' || code === '22021' || code === '54000') {
    return new AppError(400, 'validation_failed', 'The request contains characters or sizes the store cannot accept');
  }
  return new AppError(500, 'internal', 'Internal error');
}

/** The JSON body for an AppError. */
export function errorBody(error: AppError): z.output<typeof errorBodySchema> {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    },
  };
}

/** The Response for an AppError, for code that answers outside the Hono app (the upgrade path, Bun's last resort). */
export function errorResponse(error: AppError, headers?: Record<string, string>): Response {
  const all: Record<string, string> = { ...headers };
  if (error.retryAfterSeconds !== undefined) all['retry-after'] ??= String(error.retryAfterSeconds);
  return Response.json(errorBody(error), { status: error.status, headers: all });
}
