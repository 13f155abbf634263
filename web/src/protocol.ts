/**
 * Parses what crosses the panel's boundaries (REST bodies, WebSocket frames) into typed values.
 * Hand-written guards rather than a schema library: the panel ships to every host page, and these
 * few shapes do not justify the extra kilobytes. Anything malformed becomes `null` and is ignored.
 */
import type { BelfryNotification, Frame } from './types.ts';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isId = (value: unknown): value is string => isString(value) && /^[0-9]{1,20}$/.test(value);
const isTime = (value: unknown): value is string => isString(value) && !Number.isNaN(Date.parse(value));
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** A notification from a REST body or a NOTIFICATION payload, or null if it is not one. */
export function parseNotification(value: unknown): BelfryNotification | null {
  if (!isObject(value)) return null;
  const { id, type, message, created_at, read_at } = value;
  if (!isId(id) || !isString(type) || !isString(message) || !isTime(created_at)) return null;
  if (read_at !== undefined && read_at !== null && !isTime(read_at)) return null;
  return { id, type, message, created_at, read_at: read_at ?? null };
}

/** The array body of `GET /api/notifications`; malformed entries are dropped, not fatal. */
export function parseNotificationList(value: unknown): BelfryNotification[] {
  if (!Array.isArray(value)) throw new TypeError('Expected a JSON array of notifications');
  const items: BelfryNotification[] = [];
  for (const entry of value) {
    const parsed = parseNotification(entry);
    if (parsed) items.push(parsed);
  }
  return items;
}

/** A server frame from a WebSocket message, or null for unknown types and malformed data. */
export function parseFrame(data: unknown): Frame | null {
  if (!isString(data)) return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isObject(value) || !isString(value.type)) return null;
  const payload = isObject(value.payload) ? value.payload : {};
  switch (value.type) {
    case 'READY':
      return isString(payload.user_id) ? { type: 'READY', payload: { user_id: payload.user_id } } : null;
    case 'NOTIFICATION': {
      const item = parseNotification(payload);
      if (!item) return null;
      const { read_at: _ignored, ...rest } = item;
      return { type: 'NOTIFICATION', payload: rest };
    }
    case 'READ': {
      const { ids, unread_count } = payload;
      if (!Array.isArray(ids) || !ids.every(isId)) return null;
      if (!isCount(unread_count)) return null;
      return { type: 'READ', payload: { ids, unread_count } };
    }
    case 'RESYNC':
      return { type: 'RESYNC', payload: { reason: isString(payload.reason) ? payload.reason : 'unknown' } };
    case 'PONG':
      return { type: 'PONG' };
    case 'ERROR':
      return {
        type: 'ERROR',
        payload: { code: String(payload.code ?? 'error'), message: String(payload.message ?? '') },
      };
    case 'AUTHED':
      return isCount(payload.exp) ? { type: 'AUTHED', payload: { exp: payload.exp } } : null;
    case 'ERASED':
      return { type: 'ERASED', payload: {} };
    case 'RECONNECT':
      return isCount(payload.after_ms) ? { type: 'RECONNECT', payload: { after_ms: payload.after_ms } } : null;
    default:
      return null;
  }
}
