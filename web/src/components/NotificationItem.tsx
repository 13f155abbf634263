/**
 * One notification row: who (avatar), a "New" mark when it is new to this visit of the panel, category label,
 * relative time, title and body (as text), an unread marker, up to two action links, a "mark as read" control and the row menu.
 */
import { For, Show } from 'solid-js';
import { fullTime, relativeTime } from '../format.ts';
import { linkTarget } from '../links.ts';
import type { NotificationStore } from '../store.ts';
import type { BelfryNotification } from '../types.ts';
import { categoryLabel, type Ui } from '../ui.ts';
import { Avatar } from './Avatar.tsx';
import { RowMenu } from './RowMenu.tsx';

/** Props for {@link NotificationItem}. */
export interface NotificationItemProps {
  item: BelfryNotification;
  now: number;
  ui: Ui;
  store: NotificationStore;
  onOpen: (item: BelfryNotification) => void;
}

/** A list item whose main button opens (and reads) the notification. */
export function NotificationItem(props: NotificationItemProps) {
  const unread = () => props.item.read_at === null;
  const t = () => props.ui.t;
  let main!: HTMLButtonElement;
  // A control that disappears (mark as read) or a row that leaves (archive, delete) must not drop focus on the floor.
  const keepFocus = (leaving: boolean) => {
    const rows = [...(main.getRootNode() as ShadowRoot).querySelectorAll<HTMLElement>('[data-item]')];
    const at = rows.indexOf(main);
    (leaving ? (rows[at + 1] ?? rows[at - 1]) : main)?.focus();
  };
  const markRead = () => {
    keepFocus(false);
    void props.store.markRead(props.item.id);
  };
  const entries = () => {
    const { id, archived_at } = props.item;
    const store = props.store;
    const archived = !!archived_at || store.state.filter === 'archived';
    return [
      unread()
        ? { label: t().markRead, run: markRead }
        : { label: t().markUnread, run: () => void store.markUnread(id) },
      archived
        ? { label: t().unarchive, run: () => (keepFocus(true), void store.unarchive(id)) }
        : { label: t().archive, run: () => (keepFocus(true), void store.archive(id)) },
      { label: t().remove, run: () => (keepFocus(true), void store.remove(id)) },
    ];
  };
  const actions = () =>
    (props.item.actions ?? []).flatMap((action) => {
      const target = linkTarget(action.url, location.origin);
      return target ? [{ ...target, label: action.label }] : [];
    });
  return (
    <li class="item" classList={{ unread: unread() }} data-id={props.item.id} data-testid="notification">
      <button ref={main} type="button" class="item-main" data-item onClick={() => props.onOpen(props.item)}>
        <span class="dot" aria-hidden="true" />
        <Show when={props.item.actor}>{(actor) => <Avatar actor={actor()} />}</Show>
        <span class="item-body">
          <span class="item-meta">
            <Show when={props.store.state.fresh.includes(props.item.id)}>
              <span class="fresh">{t().newMarker}</span>
            </Show>
            <span class="item-type">{categoryLabel(props.ui, props.item.category ?? props.item.type)}</span>
            <time datetime={props.item.created_at} title={fullTime(props.item.created_at, props.ui.locale)}>
              {relativeTime(props.item.created_at, props.now, props.ui.locale)}
            </time>
          </span>
          <Show when={props.item.title}>
            <span class="item-title">{props.item.title}</span>
          </Show>
          <span class="item-message">{props.item.message}</span>
          <Show when={unread()}>
            <span class="sr-only">{t().unreadMarker}</span>
          </Show>
        </span>
      </button>
      <Show when={unread()}>
        <button type="button" class="mark" aria-label={t().markRead} title={t().markRead} onClick={markRead}>
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" d="M3 8.5l3.2 3L13 5" />
          </svg>
        </button>
      </Show>
      <RowMenu label={t().more} entries={entries()} />
      <Show when={actions().length > 0}>
        <span class="item-actions">
          <For each={actions()}>
            {(action) => (
              <a
                class="action"
                href={action.href}
                target={action.external ? '_blank' : undefined}
                rel={action.external ? 'noopener noreferrer' : undefined}
                onClick={() => void props.store.markRead(props.item.id)}
              >
                {action.label}
                <Show when={action.external}>
                  <span class="sr-only"> {t().newTab}</span>
                </Show>
              </a>
            )}
          </For>
        </span>
      </Show>
    </li>
  );
}
