/**
 * The panel's only caller of `fetch`: belfry's REST API for one user's notifications, and the request
 * helpers that preferences-api.ts (settings view) and demo-api.ts (demo page) build on, so those clients
 * ship only with the scripts that use them. Errors become {@link ApiError} carrying the contract's `error.code`.
 */
import { parseNotificationList } from './protocol.ts';
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

/** `unread-count`: the inbox count, and how many of those were never shown (null from a server that does not track it). */
export interface UnreadCounts {
  count: number;
  unseen: number | null;
}

/** What the notification store needs from the server. */
export interface NotificationApi {
  list(query: ListQuery): Promise<Page>;
  markRead(id: string): Promise<void>;
  markAllRead(): Promise<void>;
  unreadCount(): Promise<UnreadCounts>;
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

/** Every request of the panel goes through here: the one `fetch`, and errors as {@link ApiError}. */
export async function send(fetchImpl: Fetch, url: string, init: RequestInit): Promise<Response> {
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
export function authorised({ baseUrl, getToken, fetchImpl = (input, init) => fetch(input, init) }: ApiOptions) {
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
      const body = (await response.json()) as { count?: unknown; unseen?: unknown };
      if (typeof body.count !== 'number') throw new ApiError(200, 'invalid_response', 'No count in response');
      return { count: body.count, unseen: typeof body.unseen === 'number' ? body.unseen : null };
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
