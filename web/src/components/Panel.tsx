/** The open panel: title, "mark all as read", the view tabs, connection (reconnecting, expired) and error notices, and the list. */
import { createEffect, onMount, Show } from 'solid-js';
import { createClock } from '../clock.ts';
import type { NotificationStore } from '../store.ts';
import type { BelfryNotification } from '../types.ts';
import type { Ui } from '../ui.ts';
import { NotificationList } from './NotificationList.tsx';
import { Tabs } from './Tabs.tsx';

/** Props for {@link Panel}. */
export interface PanelProps {
  id: string;
  store: NotificationStore;
  ui: Ui;
  onOpen: (item: BelfryNotification) => void;
  onClose: () => void;
}

/** The dialog that the bell opens. */
export function Panel(props: PanelProps) {
  let element!: HTMLElement;
  const now = createClock();
  const state = () => props.store.state;
  const t = () => props.ui.t;
  onMount(() => {
    // Focus the first notification so arrow keys work at once; otherwise the dialog itself.
    const first = element.querySelector<HTMLElement>('[data-item]');
    (first ?? element).focus();
  });
  // What the open panel shows has been seen (a server that tracks it lowers its "unseen" count).
  createEffect(() => {
    if (state().phase === 'ready' && state().items.length > 0) void props.store.markSeen();
  });
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
          {t().notifications}
        </h2>
        <button
          type="button"
          class="link"
          disabled={props.store.unreadCount() === 0 && !state().items.some((item) => item.read_at === null)}
          onClick={() => void props.store.markAllRead()}
        >
          {t().markAllRead}
        </button>
        {/* Phones only (see panel.css): the sheet covers the page, so closing needs a visible control. */}
        <button type="button" class="close close-panel" aria-label={t().close} onClick={() => props.onClose()}>
          ×
        </button>
      </header>
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
    </section>
  );
}
