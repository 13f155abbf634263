/**
 * belfry's client for backends: send events, get typed ids and typed errors. Tokens for end users come from
 * `belfry/client/token`, kept apart so sending alone loads no JWT code.
 */
export { createBelfryClient, maxBatchSize, type BelfryClient, type BelfryClientOptions, type FetchLike } from './client.ts';
export { BelfryBatchError, BelfryError, BelfryNetworkError } from './errors.ts';
export type { BelfryErrorCode, BelfryEvent, BelfryFanoutEvent, ErrorDetail, IngestResult } from './types.ts';
