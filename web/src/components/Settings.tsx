/**
 * The settings view inside the panel: switches to mute categories and types (GET/PUT /api/preferences).
 * Loaded as its own chunk the first time the user opens it, with its strings and its store.
 */
import { For, Match, onMount, Show, Switch } from 'solid-js';
import type { ApiOptions } from '../api.ts';
import { settingsStringsFor } from '../i18n-settings.ts';
import { createPreferencesApi } from '../preferences-api.ts';
import { createPreferencesStore, muteOptions, type MuteKind } from '../preferences.ts';
import type { NotificationStore } from '../store.ts';
import { categoryLabel, type Ui } from '../ui.ts';
import { PanelMessage } from './PanelMessage.tsx';

/** Props for {@link Settings}. */
export interface SettingsProps {
  apiOptions: ApiOptions;
  store: NotificationStore;
  ui: Ui;
  onBack: () => void;
}

/** The mute switches, a way back to the list, and what a save that failed means. */
export function Settings(props: SettingsProps) {
  const prefs = createPreferencesStore(createPreferencesApi(props.apiOptions));
  const s = () => settingsStringsFor(props.ui.locale);
  const keys = () => muteOptions(props.ui, props.store.state.items, prefs.state.muted);
  // Keyed by the key strings, so a toggle re-renders no switch and focus stays where it is.
  const fieldset = (kind: MuteKind, legend: () => string) => (
    <Show when={keys()[kind].length > 0}>
      <fieldset class="mutes">
        <legend class="group">{legend()}</legend>
        <For each={keys()[kind]}>
          {(key) => (
            <label class="check">
              <input
                type="checkbox"
                checked={prefs.state.muted[kind].includes(key)}
                onChange={() => void prefs.toggle(kind, key)}
              />
              <span>{categoryLabel(props.ui, key)}</span>
            </label>
          )}
        </For>
      </fieldset>
    </Show>
  );
  let back!: HTMLButtonElement;
  onMount(() => {
    back.focus();
    void prefs.load();
  });
  return (
    <div class="scroller settings" data-testid="settings">
      <button ref={back} type="button" class="link back" onClick={() => props.onBack()}>
        <span aria-hidden="true">← </span>
        {s().back}
      </button>
      <p class="settings-intro">{s().intro}</p>
      <Switch>
        <Match when={prefs.state.phase === 'loading'}>
          <p class="settings-intro" role="status">
            {s().loading}
          </p>
        </Match>
        <Match when={prefs.state.phase === 'error'}>
          <PanelMessage kind="error" title={s().loadFailed} detail="" retryLabel={s().retry} onRetry={() => void prefs.load()} />
        </Match>
        <Match when={true}>
          <Show when={prefs.state.failed}>
            <p class="notice" role="alert">
              {s().saveFailed}
            </p>
          </Show>
          <Show when={keys().categories.length + keys().types.length > 0} fallback={<p class="settings-intro">{s().nothing}</p>}>
            {fieldset('categories', () => s().categories)}
            {fieldset('types', () => s().types)}
          </Show>
        </Match>
      </Switch>
    </div>
  );
}
