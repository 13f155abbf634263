/** The open panel: title, "mark all as read", the unread/all switch, connection (reconnecting, expired) and error notices, and the list. */
import { onMount, Show } from 'solid-js';
import { createClock } from '../clock.ts';
import type { NotificationStore } from '../store.ts';
import type { BelfryNotification, Filter } from '../types.ts';
import { NotificationList } from './NotificationList.tsx';

/** Props for {@link Panel}. */
export interface PanelProps {
  id: string;
  store: NotificationStore;
  onOpen: (item: BelfryNotification) => void;
}

/** The dialog that the bell opens. */
export function Panel(props: PanelProps) {
  let element!: HTMLElement;
  const now = createClock();
  const state = () => props.store.state;
  const filterButton = (filter: Filter, label: string) => (
    <button
      type="button"
      class="tab"
      aria-pressed={state().filter === filter}
      onClick={() => void props.store.setFilter(filter)}
    >
      {label}
    </button>
  );
  onMount(() => {
    // Focus the first notification so arrow keys work at once; otherwise the dialog itself.
    const first = element.querySelector<HTMLElement>('[data-item]');
    (first ?? element).focus();
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
          Notifications
        </h2>
        <button
          type="button"
          class="link"
          disabled={props.store.unreadCount() === 0 && !state().items.some((item) => item.read_at === null)}
          onClick={() => void props.store.markAllRead()}
        >
          Mark all as read
        </button>
      </header>
      <div class="tabs" role="group" aria-label="Show">
        {filterButton('unread', 'Unread')}
        {filterButton('all', 'All')}
      </div>
      <Show when={state().connection === 'reconnecting'}>
        <p class="status" role="status" data-testid="reconnecting">
          <span class="spinner" aria-hidden="true" /> Reconnecting…
        </p>
      </Show>
      <Show when={state().connection === 'expired'}>
        <p class="status" role="status" data-testid="expired">
          Session expired. Reload the page for new notifications.
        </p>
      </Show>
      <Show when={state().notice}>
        {(notice) => (
          <div class="notice" role="alert" data-testid="notice">
            <span>{notice()}</span>
            <button type="button" class="close" aria-label="Dismiss" onClick={() => props.store.dismissNotice()}>
              ×
            </button>
          </div>
        )}
      </Show>
      <NotificationList store={props.store} now={now()} onOpen={props.onOpen} />
    </section>
  );
}
