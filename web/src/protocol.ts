/**
 * Parses what crosses the panel's boundaries (REST bodies, WebSocket frames) into typed values.
 * Hand-written guards rather than a schema library: the panel ships to every host page, and these
 * few shapes do not justify the extra kilobytes. A malformed required field makes the whole value
 * `null` (ignored); a malformed optional field is dropped and the rest kept, so a server newer or
 * older than the panel never blanks the list.
 */
import { isLinkUrl } from './links.ts';
import type { Action, Actor, BelfryNotification, Change, Frame } from './types.ts';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isText = (value: unknown, max: number): value is string => isString(value) && value.length > 0 && value.length <= max;
const isId = (value: unknown): value is string => isString(value) && /^[0-9]{1,20}$/.test(value);
const isTime = (value: unknown): value is string => isString(value) && !Number.isNaN(Date.parse(value));
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isIds = (value: unknown): value is string[] => Array.isArray(value) && value.every(isId);
const CHANGES: readonly string[] = ['read', 'unread', 'seen', 'archived', 'unarchived', 'deleted'];

function parseActor(value: unknown): Actor | undefined {
  if (!isObject(value) || !isText(value.name, 200)) return undefined;
  const actor: Actor = { name: value.name };
  if (isText(value.id, 255)) actor.id = value.id;
  // Only absolute http(s): an avatar path would resolve against the host page, not belfry.
  if (isLinkUrl(value.avatar_url) && !value.avatar_url.startsWith('/')) actor.avatar_url = value.avatar_url;
  return actor;
}

function parseActions(value: unknown): Action[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const actions = value
    .filter((entry): entry is Action => isObject(entry) && isText(entry.label, 60) && isLinkUrl(entry.url))
    .slice(0, 2)
    .map(({ label, url }) => ({ label, url }));
  return actions.length > 0 ? actions : undefined;
}

/** An optional time: a time or null when well-formed, undefined (absent) otherwise. */
const optionalTime = (value: unknown) => (value === null || isTime(value) ? value : undefined);

/** A notification from a REST body or a NOTIFICATION payload, or null if it is not one. */
export function parseNotification(value: unknown): BelfryNotification | null {
  if (!isObject(value)) return null;
  const { id, type, message, created_at, read_at } = value;
  if (!isId(id) || !isString(type) || !isString(message) || !isTime(created_at)) return null;
  if (read_at !== undefined && read_at !== null && !isTime(read_at)) return null;
  const item: BelfryNotification = { id, type, message, created_at, read_at: read_at ?? null };
  if (isText(value.title, 200)) item.title = value.title;
  if (isLinkUrl(value.url)) item.url = value.url;
  const actor = parseActor(value.actor);
  if (actor) item.actor = actor;
  const actions = parseActions(value.actions);
  if (actions) item.actions = actions;
  if (isString(value.category) && /^[A-Za-z0-9_.:-]{1,64}$/.test(value.category)) item.category = value.category;
  if (isObject(value.data)) item.data = value.data;
  const seen = optionalTime(value.seen_at);
  if (seen !== undefined) item.seen_at = seen;
  const archived = optionalTime(value.archived_at);
  if (archived !== undefined) item.archived_at = archived;
  return item;
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
      // A push never carries REST-only state: a stray one must not pass for the server's word.
      const { read_at: _read, seen_at: _seen, archived_at: _archived, ...rest } = item;
      return { type: 'NOTIFICATION', payload: rest };
    }
    case 'READ': {
      const { ids, unread_count } = payload;
      return isIds(ids) && isCount(unread_count) ? { type: 'READ', payload: { ids, unread_count } } : null;
    }
    case 'CHANGED': {
      const { change, ids, unread_count } = payload;
      if (!isString(change) || !CHANGES.includes(change) || !isIds(ids) || !isCount(unread_count)) return null;
      return { type: 'CHANGED', payload: { change: change as Change, ids, unread_count } };
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
