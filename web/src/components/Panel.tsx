/**
 * The open panel: title, "mark all as read", the settings switch, the view tabs, connection (reconnecting,
 * expired) and error notices, and the list; or, once the switch is pressed, the settings view.
 */
import { createComponent, createEffect, createSignal, onCleanup, onMount, Show } from 'solid-js';
import type { ApiOptions } from '../api.ts';
import { createClock } from '../clock.ts';
import type { NotificationStore } from '../store.ts';
import type { BelfryNotification } from '../types.ts';
import type { Ui } from '../ui.ts';
import { NotificationList } from './NotificationList.tsx';
import type { Settings as SettingsView } from './Settings.tsx';
import { Tabs } from './Tabs.tsx';

/**
 * The settings view's script, built next to the bell's (see vite.config.ts) and imported by URL: a bundled
 * `import()` would bring the bundler's preload helper along, which outweighs the view's own code.
 */
const SETTINGS_SCRIPT = 'belfry-settings.js';
const settingsUrl = () => new URL(SETTINGS_SCRIPT, import.meta.url).href;

/** Props for {@link Panel}. */
export interface PanelProps {
  id: string;
  store: NotificationStore;
  apiOptions: ApiOptions;
  ui: Ui;
  onOpen: (item: BelfryNotification) => void;
  onClose: () => void;
}

/** The dialog that the bell opens. */
export function Panel(props: PanelProps) {
  let element!: HTMLElement;
  let gear!: HTMLButtonElement;
  const now = createClock();
  const state = () => props.store.state;
  const t = () => props.ui.t;
  const [settingsOpen, setSettingsOpen] = createSignal(false);
  // The settings view is a chunk of its own, fetched the first time it is opened: most visits never need it.
  const [settings, setSettings] = createSignal<typeof SettingsView | 'failed' | null>(null);
  const openSettings = () => {
    setSettingsOpen(true);
    if (typeof settings() !== 'function') {
      setSettings(null);
      (import(/* @vite-ignore */ settingsUrl()) as Promise<typeof import('./Settings.tsx')>).then(
        (module) => setSettings(() => module.Settings),
        () => setSettings('failed'),
      );
    }
  };
  const closeSettings = () => {
    setSettingsOpen(false);
    gear.focus();
  };
  onMount(() => {
    // Focus the first notification so arrow keys work at once; otherwise the dialog itself.
    const first = element.querySelector<HTMLElement>('[data-item]');
    (first ?? element).focus();
  });
  // What the open panel shows has been seen (a server that tracks it lowers its "unseen" count).
  createEffect(() => {
    if (state().phase === 'ready' && state().items.length > 0) void props.store.markSeen();
  });
  // Rows marked "new" were new to this visit; the next one starts from what is unseen then.
  onCleanup(() => props.store.clearFresh());
  return (
    <section
      ref={element}
      id={props.id}
      class="panel"
      role="dialog"
      aria-labelledby={`${props.id}-title`}
      tabIndex={-1}
      data-testid="panel"
    >
      <header class="panel-head">
        <h2 class="title" id={`${props.id}-title`}>
          {settingsOpen() ? t().settings : t().notifications}
        </h2>
        <Show when={!settingsOpen()}>
          <button
            type="button"
            class="link"
            disabled={props.store.unreadCount() === 0 && !state().items.some((item) => item.read_at === null)}
            onClick={() => void props.store.markAllRead()}
          >
            {t().markAllRead}
          </button>
        </Show>
        <button
          ref={gear}
          type="button"
          class="close settings-toggle"
          aria-label={t().settings}
          aria-pressed={settingsOpen()}
          onClick={() => (settingsOpen() ? closeSettings() : openSettings())}
        >
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <path
              fill="none"
              stroke="currentColor"
              stroke-width="1.5"
              stroke-linecap="round"
              d="M2.5 4.5h11M2.5 11.5h11M5.5 2.5v4M10.5 9.5v4"
            />
          </svg>
        </button>
        {/* Phones only (see panel.css): the sheet covers the page, so closing needs a visible control. */}
        <button type="button" class="close close-panel" aria-label={t().close} onClick={() => props.onClose()}>
          ×
        </button>
      </header>
      <Show
        when={settingsOpen()}
        fallback={
          <>
            <Tabs store={props.store} ui={props.ui} />
            <Show when={state().connection === 'reconnecting'}>
              <p class="status" role="status" data-testid="reconnecting">
                <span class="spinner" aria-hidden="true" /> {t().reconnecting}
              </p>
            </Show>
            <Show when={state().connection === 'expired'}>
              <p class="status" role="status" data-testid="expired">
                {t().expired}
              </p>
            </Show>
            <Show when={state().notice}>
              {(notice) => (
                <div class="notice" role="alert" data-testid="notice">
                  <span>{t().failed(t().notices[notice()])}</span>
                  <button type="button" class="close" aria-label={t().dismiss} onClick={() => props.store.dismissNotice()}>
                    ×
                  </button>
                </div>
              )}
            </Show>
            <NotificationList store={props.store} now={now()} ui={props.ui} onOpen={props.onOpen} />
          </>
        }
      >
        <Show when={settings()}>
          {(view) => {
            const loaded = view();
            // A failed load is tried again the next time the switch opens the view.
            return loaded === 'failed' ? (
              <p class="notice" role="alert">
                {t().loadFailedDetail}
              </p>
            ) : (
              createComponent(loaded, {
                apiOptions: props.apiOptions,
                store: props.store,
                get ui() {
                  return props.ui;
                },
                onBack: closeSettings,
              })
            );
          }}
        </Show>
      </Show>
    </section>
  );
}
