/** The settings view's store: load, toggles saved in order with the whole document, a failed save undone; the options listed. */
import { expect, test } from 'bun:test';
import { ApiError, type PreferencesApi } from '../../web/src/api.ts';
import { createPreferencesStore, muteOptions } from '../../web/src/preferences.ts';
import { stringsFor } from '../../web/src/i18n.ts';
import type { Preferences } from '../../web/src/types.ts';

function server(initial: Preferences['muted'] = { categories: [], types: [] }) {
  const saved: Array<Preferences['muted']> = [];
  let stored = initial;
  let failNext = 0;
  const api: PreferencesApi = {
    async getPreferences() {
      return { muted: structuredClone(stored) };
    },
    async putPreferences({ muted }) {
      await Bun.sleep(1);
      if (failNext > 0) {
        failNext -= 1;
        throw new ApiError(503, 'unavailable', 'down');
      }
      saved.push(structuredClone(muted));
      stored = structuredClone(muted);
      return { muted: structuredClone(stored) };
    },
  };
  return { api, saved, fail: () => (failNext += 1) };
}

test('toggles are saved one after another, each with the whole document as it stands then', async () => {
  const { api, saved } = server({ categories: ['digest'], types: [] });
  const prefs = createPreferencesStore(api);
  await prefs.load();
  expect(prefs.state.muted).toEqual({ categories: ['digest'], types: [] });
  const first = prefs.toggle('categories', 'billing');
  const second = prefs.toggle('types', 'marketing');
  await Promise.all([first, second]);
  expect(saved).toEqual([{ categories: ['digest', 'billing'], types: ['marketing'] }]);
  await prefs.toggle('categories', 'digest');
  expect(saved.at(-1)).toEqual({ categories: ['billing'], types: ['marketing'] });
  expect(prefs.state.muted).toEqual({ categories: ['billing'], types: ['marketing'] });
});

test('a failed save puts back what the server last confirmed and says so', async () => {
  const { api, saved, fail } = server();
  const prefs = createPreferencesStore(api);
  await prefs.load();
  fail();
  await prefs.toggle('categories', 'billing');
  expect(prefs.state.muted.categories).toEqual([]);
  expect(prefs.state.failed).toBe(true);
  expect(saved).toEqual([]);
  await prefs.toggle('categories', 'billing');
  expect(prefs.state).toMatchObject({ failed: false, muted: { categories: ['billing'] } });
});

test('a load that fails is an error state to retry', async () => {
  const { api } = server();
  const prefs = createPreferencesStore({ ...api, getPreferences: () => Promise.reject(new ApiError(0, 'network', 'x')) });
  await prefs.load();
  expect(prefs.state.phase).toBe('error');
});

test('what can be muted: host categories and labels, loaded categories, muted ones; types only without a category', () => {
  const ui = { locale: 'en', t: stringsFor('en'), labels: { billing: 'Billing' }, categories: ['team'] };
  const items = [
    { type: 'invoice', category: 'billing' },
    { type: 'comment' },
    { type: 'invite', category: 'team_invite' },
  ];
  expect(muteOptions(ui, items, { categories: ['digest'], types: ['marketing'] })).toEqual({
    categories: ['billing', 'digest', 'team', 'team_invite'],
    types: ['comment', 'marketing'],
  });
});
