/** The demo page's requests to the demo-mode routes, on api.ts's `send` (the only `fetch`); never in the bell's script. */
import { ApiError, send, type Fetch } from './api.ts';

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
