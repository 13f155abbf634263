/** Reconnect delays: exponential backoff with full jitter, so a fleet of tabs does not reconnect in step. */

/** Options for {@link fullJitterDelay}; defaults suit a notification panel. */
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  random?: () => number;
}

/**
 * Milliseconds to wait before retry number `attempt` (0-based): uniform in [0, min(cap, base·2^attempt)).
 * Full jitter (rather than equal or decorrelated jitter) spreads a thundering herd the most evenly.
 */
export function fullJitterDelay(
  attempt: number,
  { baseMs = 500, capMs = 30_000, random = Math.random }: BackoffOptions = {},
): number {
  // Clamp the exponent: 2 ** 1100 is Infinity, and the cap is reached long before 31 anyway.
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(random() * ceiling);
}
