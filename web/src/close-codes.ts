/**
 * What the panel does when the server closes its socket, one row per close code (docs/api.md#close-codes).
 * Keyed by the server's own `CloseCode` type, so a code added there fails this table's type-check until
 * the panel decides what it means.
 */
import type { CloseCode } from './types.ts';

/**
 * - `backoff`: reconnect after the jittered backoff (or the delay a RECONNECT frame named), then catch up.
 * - `wait`: the server refused what this client sent; retrying fast would only repeat it, so wait the longest delay.
 * - `refresh`: the token expired; reconnect at once with a fresh one, or stop as 'expired' when none can be had.
 * - `start-over`: the token now names another user; stop, and let the owner start the panel over.
 */
export type CloseAction = 'backoff' | 'wait' | 'refresh' | 'start-over';

/** The panel's reaction to each close code the server uses. */
export const closeActions: Readonly<Record<CloseCode, CloseAction>> = {
  1000: 'backoff',
  1006: 'backoff',
  1008: 'wait',
  1009: 'wait',
  1012: 'backoff',
  4001: 'refresh',
  4003: 'start-over',
  4008: 'backoff',
};

/** The action for `code`; codes the server does not define (and a socket that never opened) back off. */
export function closeAction(code: number | undefined): CloseAction {
  return (code !== undefined && closeActions[code as CloseCode]) || 'backoff';
}
