/**
 * The shapes the client sends and receives, written out by hand so the client's published types stand alone
 * (no zod, no server source in a consumer's type graph). tests/contract/client-types.test.ts fails the type
 * check the moment they drift from the server's schemas.
 */

/** One event for POST /api/events (limits in docs/api.md; the server validates, the client does not). */
export interface BelfryEvent {
  /** 1–255 characters, no control characters. */
  user_id: string;
  /** 1–64 characters, no control characters. */
  type: string;
  /** 1–4000 characters, no NUL. */
  message: string;
  /** 1–255 characters; the same key for the same user returns the first id and creates nothing. */
  idempotency_key?: string;
  /** 1–200 characters, no control characters. */
  title?: string;
  /** An absolute https:/http: URL, or a path starting with a single `/`. */
  url?: string;
  /** Who caused it; `avatar_url` an absolute https:/http: URL. */
  actor?: { id?: string; name: string; avatar_url?: string };
  /** At most 2 buttons; each `url` as `url` above. */
  actions?: { label: string; url: string }[];
  /** A short key (letters, digits, `_`, `.`, `-`; up to 64), which users can mute. */
  category?: string;
  /** A JSON object of at most 4 KiB, passed through untouched. */
  data?: Record<string, unknown>;
}

/** One event for many users: stored once per user of `user_ids` (1–1000 distinct), one id each, in that order. */
export type BelfryFanoutEvent = Omit<BelfryEvent, 'user_id'> & { user_ids: string[] };

/** The 201 body: notification ids (decimal strings) in request order. */
export interface IngestResult {
  ids: string[];
}

/** One problem in a `validation_failed` answer. */
export interface ErrorDetail {
  /** Dotted path of the bad field, e.g. `events.3.user_id`. */
  path: string;
  message: string;
}

/** The codes belfry answers with, plus `unexpected_response` for an answer that is not belfry's error shape. */
export type BelfryErrorCode =
  | 'bad_request'
  | 'forbidden'
  | 'forbidden_origin'
  | 'too_many_connections'
  | 'upgrade_required'
  | 'invalid_json'
  | 'validation_failed'
  | 'unauthorized'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'outcome_unknown'
  | 'internal'
  | 'unexpected_response';
