/** The REST client's requests for the inbox routes, against a recording fetch. */
import { expect, test } from 'bun:test';
import { ApiError, createApi, type ApiOptions } from '../../web/src/api.ts';
import { createPreferencesApi } from '../../web/src/preferences-api.ts';

function recorder(respond: (url: string) => Response = () => new Response(null, { status: 204 })) {
  const calls: Array<{ url: string; method: string; body: unknown; auth: string | null }> = [];
  const options: ApiOptions = {
    baseUrl: 'https://belfry.example',
    getToken: () => 'T',
    fetchImpl: async (url, init = {}) => {
      calls.push({
        url,
        method: init.method ?? 'GET',
        body: typeof init.body === 'string' ? JSON.parse(init.body) : null,
        auth: new Headers(init.headers).get('authorization'),
      });
      return respond(url);
    },
  };
  return { api: { ...createApi(options), ...createPreferencesApi(options) }, calls };
}

test('unread, archive, unarchive, delete and seen hit the contract\'s routes with its bodies', async () => {
  const { api, calls } = recorder();
  await api.markUnread('4');
  await api.archive(['4', '5']);
  await api.unarchive(['5']);
  await api.remove('4');
  await api.markSeen(['6']);
  expect(calls.map(({ url, method, body }) => [method, url.replace('https://belfry.example', ''), body])).toEqual([
    ['POST', '/api/notifications/unread', { id: '4' }],
    ['POST', '/api/notifications/archive', { ids: ['4', '5'] }],
    ['POST', '/api/notifications/unarchive', { ids: ['5'] }],
    ['DELETE', '/api/notifications/4', null],
    ['POST', '/api/notifications/seen', { ids: ['6'] }],
  ]);
  expect(calls.every((call) => call.auth === 'Bearer T')).toBe(true);
});

test('list sends category only when set', async () => {
  const { api, calls } = recorder(() => Response.json([]));
  await api.list({ status: 'archived', limit: 20 });
  await api.list({ status: 'all', limit: 20, category: 'billing', cursor: 'c1' });
  expect(calls.map((call) => new URL(call.url).search)).toEqual([
    '?status=archived&limit=20',
    '?status=all&limit=20&cursor=c1&category=billing',
  ]);
});

test('preferences: read and saved; a malformed body is an error, missing lists read as empty', async () => {
  let body: unknown = { muted: { categories: ['billing'], types: [] } };
  const { api, calls } = recorder(() => Response.json(body));
  expect(await api.getPreferences()).toEqual({ muted: { categories: ['billing'], types: [] } });
  body = { muted: { types: ['deploy'] } };
  expect(await api.putPreferences({ muted: { categories: [], types: ['deploy'] } })).toEqual({
    muted: { categories: [], types: ['deploy'] },
  });
  expect(calls[1]).toMatchObject({ method: 'PUT', body: { muted: { categories: [], types: ['deploy'] } } });
  body = { muted: { categories: 'billing' } };
  expect(api.getPreferences()).rejects.toBeInstanceOf(ApiError);
});
