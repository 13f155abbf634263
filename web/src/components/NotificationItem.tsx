/** One notification row: type, message (as text), relative time, an unread marker and a "mark as read" control. */
import { Show } from 'solid-js';
import { relativeTime } from '../format.ts';
import type { BelfryNotification } from '../types.ts';

/** Props for {@link NotificationItem}. */
export interface NotificationItemProps {
  item: BelfryNotification;
  now: number;
  onOpen: (item: BelfryNotification) => void;
  onMarkRead: (id: string) => void;
}

/** A list item whose main button opens (and reads) the notification. */
export function NotificationItem(props: NotificationItemProps) {
  const unread = () => props.item.read_at === null;
  let main!: HTMLButtonElement;
  // The control disappears once the item is read: move focus to the row first so it is not lost.
  const markRead = () => {
    main.focus();
    props.onMarkRead(props.item.id);
  };
  return (
    <li class="item" classList={{ unread: unread() }} data-id={props.item.id} data-testid="notification">
      <button ref={main} type="button" class="item-main" data-item onClick={() => props.onOpen(props.item)}>
        <span class="dot" aria-hidden="true" />
        <span class="item-body">
          <span class="item-meta">
            <span class="item-type">{props.item.type}</span>
            <time datetime={props.item.created_at} title={new Date(props.item.created_at).toLocaleString()}>
              {relativeTime(props.item.created_at, props.now)}
            </time>
          </span>
          <span class="item-message">{props.item.message}</span>
          <Show when={unread()}>
            <span class="sr-only">(unread)</span>
          </Show>
        </span>
      </button>
      <Show when={unread()}>
        <button
          type="button"
          class="mark"
          aria-label="Mark as read"
          title="Mark as read"
          onClick={markRead}
        >
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" d="M3 8.5l3.2 3L13 5" />
          </svg>
        </button>
      </Show>
    </li>
  );
}
