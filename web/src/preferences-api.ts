/**
 * The client for `GET/PUT /api/preferences`, on api.ts's requests (which make the only `fetch`). A module of its
 * own so that it ships in the settings view's script, not in the bell's.
 */
import { ApiError, authorised, type ApiOptions, type PreferencesApi } from './api.ts';
import type { Preferences } from './types.ts';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `GET/PUT /api/preferences` bodies; a missing list reads as nothing muted, a malformed body as null. */
export function parsePreferences(value: unknown): Preferences | null {
  if (!isObject(value)) return null;
  const muted = value.muted ?? {};
  if (!isObject(muted)) return null;
  const list = (entry: unknown) =>
    Array.isArray(entry)
      ? entry.filter((key): key is string => typeof key === 'string' && key.length > 0 && key.length <= 64)
      : entry === undefined
        ? []
        : null;
  const categories = list(muted.categories);
  const types = list(muted.types);
  return categories && types ? { muted: { categories, types } } : null;
}

/** Creates the client for the user's preferences. */
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

