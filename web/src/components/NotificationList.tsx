/** The scrolling list: loading, error and empty states, the items, arrow-key navigation and paging on scroll. */
import { For, Match, Switch } from 'solid-js';
import type { NotificationStore } from '../store.ts';
import type { BelfryNotification } from '../types.ts';
import { LoadMore } from './LoadMore.tsx';
import { NotificationItem } from './NotificationItem.tsx';
import { PanelMessage } from './PanelMessage.tsx';
import { SkeletonList } from './SkeletonList.tsx';

/** Props for {@link NotificationList}. */
export interface NotificationListProps {
  store: NotificationStore;
  now: number;
  onOpen: (item: BelfryNotification) => void;
}

/** Moves focus between rows with the arrow keys, Home and End (Tab still reaches every control). */
function navigate(event: KeyboardEvent) {
  const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End'];
  if (!keys.includes(event.key)) return;
  const list = event.currentTarget as HTMLElement;
  const rows = [...list.querySelectorAll<HTMLButtonElement>('[data-item]')];
  if (rows.length === 0) return;
  const active = (list.getRootNode() as Document | ShadowRoot).activeElement;
  const current = rows.findIndex((row) => row === active || row.parentElement?.contains(active));
  const last = rows.length - 1;
  const next =
    event.key === 'Home' ? 0
    : event.key === 'End' ? last
    : event.key === 'ArrowDown' ? Math.min(last, current + 1)
    : Math.max(0, current - 1);
  event.preventDefault();
  rows[next]?.focus();
}

/** The list body of the panel. */
export function NotificationList(props: NotificationListProps) {
  const state = () => props.store.state;
  return (
    <div class="scroller">
      <Switch>
        <Match when={state().phase === 'loading' && state().items.length === 0}>
          <SkeletonList />
        </Match>
        <Match when={state().phase === 'error'}>
          <PanelMessage
            kind="error"
            title="Couldn't load notifications"
            detail="Check your connection and try again."
            onRetry={() => void props.store.reload()}
          />
        </Match>
        <Match when={state().items.length === 0}>
          <PanelMessage
            kind="empty"
            title={state().filter === 'unread' ? "You're all caught up" : 'No notifications yet'}
            detail={state().filter === 'unread' ? 'New notifications will appear here.' : 'When something happens, you will see it here.'}
          />
        </Match>
        <Match when={true}>
          <ul class="list" aria-label="Notifications, newest first" onKeyDown={navigate}>
            <For each={state().items}>
              {(item) => (
                <NotificationItem
                  item={item}
                  now={props.now}
                  onOpen={props.onOpen}
                  onMarkRead={(id) => void props.store.markRead(id)}
                />
              )}
            </For>
          </ul>
          <LoadMore
            hasMore={state().nextCursor !== null}
            loading={state().loadingMore}
            failed={state().moreFailed}
            size={state().items.length}
            onMore={() => void props.store.loadMore()}
          />
        </Match>
      </Switch>
    </div>
  );
}
