/**
 * The panel's only caller of `fetch`: belfry's REST API for one user, plus the demo-mode routes
 * the demo page uses. Errors become {@link ApiError} carrying the contract's `error.code`.
 */
import { parseNotificationList, parsePreferences } from './protocol.ts';
import type { Filter, Page, Preferences } from './types.ts';

/** A failed call: HTTP status (0 when the network failed) and the contract's error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** One `GET /api/notifications` request; `category` narrows it to one category key. */
export interface ListQuery {
  status: Filter;
  limit: number;
  cursor?: string | null;
  category?: string | null;
}

/** What the notification store needs from the server. */
export interface NotificationApi {
  list(query: ListQuery): Promise<Page>;
  markRead(id: string): Promise<void>;
  markAllRead(): Promise<void>;
  unreadCount(): Promise<number>;
  markUnread(id: string): Promise<void>;
  archive(ids: string[]): Promise<void>;
  unarchive(ids: string[]): Promise<void>;
  remove(id: string): Promise<void>;
  markSeen(ids: string[]): Promise<void>;
}

/** What a settings view needs: the user's mutes. */
export interface PreferencesApi {
  getPreferences(): Promise<Preferences>;
  putPreferences(preferences: Preferences): Promise<Preferences>;
}

/** Options for {@link createApi}. */
export interface ApiOptions {
  /** Origin (and optional path prefix) of the belfry server, without a trailing slash. */
  baseUrl: string;
  /** Returns the user's JWT; called for every request so a host can refresh it. */
  getToken: () => string | Promise<string>;
  fetchImpl?: Fetch;
}

/** The `fetch` signature the client needs (Bun's `typeof fetch` adds extras a test double lacks). */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

async function send(fetchImpl: Fetch, url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetchImpl(url, init);
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached');
  }
  if (response.ok) return response;
  let code = 'http_' + response.status;
  let message = response.statusText || 'Request failed';
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // Not JSON (a proxy's error page, say): keep the status-derived code.
  }
  throw new ApiError(response.status, code, message);
}

/** A request to belfry as the user: their token attached, and renewed once if it had expired. */
function authorised({ baseUrl, getToken, fetchImpl = (input, init) => fetch(input, init) }: ApiOptions) {
  return async (path: string, init: RequestInit = {}): Promise<Response> => {
    const attempt = async (token: string) =>
      send(fetchImpl, baseUrl + path, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
      });
    const token = await getToken();
    try {
      return await attempt(token);
    } catch (error) {
      // An expired token: ask the host once for a fresh one, and retry only if it changed.
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      const fresh = await getToken();
      if (fresh === token) throw error;
      return attempt(fresh);
    }
  };
}

/** Creates the REST client for one user's notifications. */
export function createApi(options: ApiOptions): NotificationApi {
  const call = authorised(options);
  const postJson = (path: string, body?: unknown) =>
    call(path, {
      method: 'POST',
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });

  return {
    async list({ status, limit, cursor, category }) {
      const query = new URLSearchParams({ status, limit: String(limit) });
      if (cursor) query.set('cursor', cursor);
      // Sent only when set: a server without categories refuses unknown query keys.
      if (category) query.set('category', category);
      const response = await call(`/api/notifications?${query}`);
      const items = parseNotificationList(await response.json());
      return { items, nextCursor: response.headers.get('x-next-cursor') || null };
    },
    async markRead(id) {
      await postJson('/api/notifications/read', { id });
    },
    async markAllRead() {
      await postJson('/api/notifications/read-all');
    },
    async unreadCount() {
      const response = await call('/api/notifications/unread-count');
      const body = (await response.json()) as { count?: unknown };
      if (typeof body.count !== 'number') throw new ApiError(200, 'invalid_response', 'No count in response');
      return body.count;
    },
    async markUnread(id) {
      await postJson('/api/notifications/unread', { id });
    },
    async archive(ids) {
      await postJson('/api/notifications/archive', { ids });
    },
    async unarchive(ids) {
      await postJson('/api/notifications/unarchive', { ids });
    },
    async remove(id) {
      await call(`/api/notifications/${encodeURIComponent(id)}`, { method: 'DELETE' });
    },
    async markSeen(ids) {
      await postJson('/api/notifications/seen', { ids });
    },
  };
}

/** Creates the client for the user's preferences (its own factory, so a panel without a settings view ships none of it). */
export function createPreferencesApi(options: ApiOptions): PreferencesApi {
  const call = authorised(options);
  const readPreferences = async (response: Response) => {
    const preferences = parsePreferences(await response.json());
    if (!preferences) throw new ApiError(200, 'invalid_response', 'Malformed preferences');
    return preferences;
  };
  return {
    async getPreferences() {
      return readPreferences(await call('/api/preferences'));
    },
    async putPreferences(preferences) {
      const response = await call('/api/preferences', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(preferences),
      });
      // A 204 leaves the saved value as sent; a body is the server's normalised copy.
      return response.status === 204 ? preferences : readPreferences(response);
    },
  };
}

/** The demo user's session, or null when the server is not in demo mode (404). */
export async function fetchDemoSession(
  baseUrl: string,
  fetchImpl: Fetch = (input, init) => fetch(input, init),
): Promise<{ user_id: string; token: string } | null> {
  try {
    const response = await send(fetchImpl, `${baseUrl}/api/demo/session`, {});
    const body = (await response.json()) as { user_id?: unknown; token?: unknown };
    if (typeof body.user_id !== 'string' || typeof body.token !== 'string') return null;
    return { user_id: body.user_id, token: body.token };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** Sends a test notification to the demo user; returns the new ids. */
export async function sendDemoNotification(
  baseUrl: string,
  token: string,
  body: { type?: string; message: string },
  fetchImpl: Fetch = (input, init) => fetch(input, init),
): Promise<string[]> {
  const response = await send(fetchImpl, `${baseUrl}/api/demo/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const parsed = (await response.json()) as { ids?: unknown };
  return Array.isArray(parsed.ids) ? parsed.ids.map(String) : [];
}
