/**
 * The settings view's state: the user's mutes as the server holds them, changed one switch at a time.
 * Saves run one after another and each sends the whole document as it stands when it leaves (PUT replaces
 * it), so quick toggles never overtake each other; a failed save puts back what the server last confirmed.
 * Loaded only with the settings view.
 */
import { createStore } from 'solid-js/store';
import type { PreferencesApi } from './api.ts';
import type { Preferences } from './types.ts';
import { categoryLabel, type Ui } from './ui.ts';

/** Which list a mute goes in. */
export type MuteKind = keyof Preferences['muted'];

/** Everything the settings view renders. */
export interface PreferencesState {
  phase: 'loading' | 'ready' | 'error';
  muted: Preferences['muted'];
  /** The last save failed (and was undone). */
  failed: boolean;
}

/** The store the settings view reads and calls. */
export interface PreferencesStore {
  readonly state: PreferencesState;
  load(): Promise<void>;
  /** Mutes `key` if it is not muted, unmutes it if it is, and saves. */
  toggle(kind: MuteKind, key: string): Promise<void>;
}

// The store writes into the objects it is given: it gets copies, so `confirmed` stays what the server said.
const copy = (muted: Preferences['muted']) => ({ categories: [...muted.categories], types: [...muted.types] });
const same = (a: Preferences['muted'], b: Preferences['muted']) =>
  JSON.stringify([a.categories, a.types]) === JSON.stringify([b.categories, b.types]);

/** Creates the preferences store for one user. */
export function createPreferencesStore(api: PreferencesApi): PreferencesStore {
  const [state, setState] = createStore<PreferencesState>({ phase: 'loading', muted: { categories: [], types: [] }, failed: false });
  let confirmed: Preferences['muted'] = { categories: [], types: [] };
  let queue = Promise.resolve();

  async function save() {
    const wanted = copy(state.muted);
    if (same(wanted, confirmed)) return;
    try {
      confirmed = (await api.putPreferences({ muted: wanted })).muted;
    } catch {
      setState({ muted: copy(confirmed), failed: true });
      return;
    }
    // Later toggles have their own save queued; only the last one shows the server's normalised copy.
    if (same(wanted, state.muted)) setState('muted', copy(confirmed));
  }

  return {
    state,
    async load() {
      setState('phase', 'loading');
      try {
        confirmed = (await api.getPreferences()).muted;
        setState({ phase: 'ready', muted: copy(confirmed) });
      } catch {
        setState('phase', 'error');
      }
    },
    toggle(kind, key) {
      const list = state.muted[kind];
      setState({ failed: false });
      setState('muted', kind, list.includes(key) ? list.filter((entry) => entry !== key) : [...list, key]);
      return (queue = queue.then(save));
    },
  };
}

/**
 * What the user can mute, as keys: the host's categories (tabs and labels), those of the notifications loaded and
 * those already muted; types only for loaded notifications without a category (a category is the finer handle)
 * and those already muted. Sorted by label, so the switches do not reshuffle as notifications arrive.
 */
export function muteOptions(
  ui: Ui,
  items: ReadonlyArray<{ type: string; category?: string }>,
  muted: Preferences['muted'],
): Record<MuteKind, string[]> {
  const sorted = (keys: string[]) =>
    [...new Set(keys)].sort((a, b) => categoryLabel(ui, a).localeCompare(categoryLabel(ui, b), ui.locale));
  return {
    categories: sorted([...ui.categories, ...Object.keys(ui.labels), ...items.flatMap((item) => item.category ?? []), ...muted.categories]),
    types: sorted([...items.flatMap((item) => (item.category ? [] : item.type)), ...muted.types]),
  };
}
