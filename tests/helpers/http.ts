/**
 * Small request helpers for the contract tests.
 */
import { documentedFetch } from './openapi-recorder.ts';

/** Calls a belfry route as a user (or with any Authorization value). */
export function call(baseUrl: string, path: string, init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  return documentedFetch(`${baseUrl}${path}`, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
}

/** Asserts the JSON error shape and returns it. */
export async function errorOf(response: Response): Promise<{ code: string; message: string; details?: { path: string; message: string }[] }> {
  const body = (await response.json()) as { error: { code: string; message: string; details?: { path: string; message: string }[] } };
  if (typeof body?.error?.code !== 'string' || typeof body.error.message !== 'string') {
    throw new Error(`not the JSON error shape: ${JSON.stringify(body)}`);
  }
  return body.error;
}
