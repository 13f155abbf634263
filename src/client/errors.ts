/**
 * What the client throws: the server answered with an error (BelfryError), nothing usable came back
 * (BelfryNetworkError), or a batch stopped part-way (BelfryBatchError).
 */
import type { BelfryErrorCode, ErrorDetail } from './types.ts';

/** belfry answered with an error status; `code`, `message` and `details` are the server's own. */
export class BelfryError extends Error {
  override readonly name = 'BelfryError';
  readonly status: number;
  readonly code: BelfryErrorCode;
  readonly details: ErrorDetail[] | undefined;
  /** Seconds to wait before retrying, from `Retry-After` on 429 and 503. */
  readonly retryAfter: number | undefined;

  constructor(init: { status: number; code: BelfryErrorCode; message: string; details?: ErrorDetail[] | undefined; retryAfter?: number | undefined }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.retryAfter = init.retryAfter;
  }
}

/** The request got no answer: connection refused or reset, DNS, or `timeoutMs` passed. It may still have committed. */
export class BelfryNetworkError extends Error {
  override readonly name = 'BelfryNetworkError';
  readonly timedOut: boolean;

  constructor(message: string, options: { cause: unknown; timedOut: boolean }) {
    super(message, { cause: options.cause });
    this.timedOut = options.timedOut;
  }
}

/**
 * A batch failed at `failedIndex`: `committedIds` are the ids of every event before it, committed and final.
 * Resend `events.slice(failedIndex)`; with idempotency keys that is safe even if the failed chunk did commit
 * (a network error can hide a commit), without them it may duplicate that chunk.
 */
export class BelfryBatchError extends Error {
  override readonly name = 'BelfryBatchError';
  readonly committedIds: string[];
  readonly failedIndex: number;
  override readonly cause: BelfryError | BelfryNetworkError;

  constructor(committedIds: string[], failedIndex: number, cause: BelfryError | BelfryNetworkError) {
    super(`batch failed at event ${failedIndex} (${committedIds.length} committed before it): ${cause.message}`, { cause });
    this.committedIds = committedIds;
    this.failedIndex = failedIndex;
    this.cause = cause;
  }
}
