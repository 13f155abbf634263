/**
 * The scrolling list: loading, error and empty states, the items grouped under Today /
 * Yesterday / Earlier, arrow-key navigation across groups and paging on scroll.
 */
import { For, Match, Show, Switch } from 'solid-js';
import { dayGroup, type DayGroup } from '../format.ts';
import type { NotificationStore } from '../store.ts';
import type { BelfryNotification } from '../types.ts';
import type { Ui } from '../ui.ts';
import { LoadMore } from './LoadMore.tsx';
import { NotificationItem } from './NotificationItem.tsx';
import { PanelMessage } from './PanelMessage.tsx';
import { SkeletonList } from './SkeletonList.tsx';

/** Props for {@link NotificationList}. */
export interface NotificationListProps {
  store: NotificationStore;
  now: number;
  ui: Ui;
  onOpen: (item: BelfryNotification) => void;
}

// Fixed keys, not groups rebuilt from the items: a rebuilt group would re-create its rows and lose focus.
const GROUPS: readonly DayGroup[] = ['today', 'yesterday', 'earlier'];
let lists = 0;

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
  const id = `belfry-list-${++lists}`;
  const state = () => props.store.state;
  const t = () => props.ui.t;
  const empty = () =>
    state().filter === 'archived' ? [t().archiveEmpty, t().archiveEmptyDetail]
    : state().filter === 'unread' && !state().category ? [t().caughtUp, t().caughtUpDetail]
    : [t().empty, t().emptyDetail];
  return (
    <div class="scroller">
      <Switch>
        <Match when={state().phase === 'loading' && state().items.length === 0}>
          <SkeletonList label={t().loading} />
        </Match>
        <Match when={state().phase === 'error'}>
          <PanelMessage
            kind="error"
            title={t().loadFailed}
            detail={t().loadFailedDetail}
            retryLabel={t().tryAgain}
            onRetry={() => void props.store.reload()}
          />
        </Match>
        <Match when={state().items.length === 0}>
          <PanelMessage kind="empty" title={empty()[0]!} detail={empty()[1]!} />
        </Match>
        <Match when={true}>
          <div class="groups" onKeyDown={navigate}>
            <For each={GROUPS}>
              {(group) => {
                const items = () => state().items.filter((item) => dayGroup(item.created_at, props.now) === group);
                return (
                  <Show when={items().length > 0}>
                    <h3 class="group" id={`${id}-${group}`}>
                      {t()[group]}
                    </h3>
                    <ul class="list" aria-labelledby={`${id}-${group}`}>
                      <For each={items()}>
                        {(item) => (
                          <NotificationItem item={item} now={props.now} ui={props.ui} store={props.store} onOpen={props.onOpen} />
                        )}
                      </For>
                    </ul>
                  </Show>
                );
              }}
            </For>
          </div>
          <LoadMore
            hasMore={state().nextCursor !== null}
            loading={state().loadingMore}
            failed={state().moreFailed}
            size={state().items.length}
            t={t()}
            onMore={() => void props.store.loadMore()}
          />
        </Match>
      </Switch>
    </div>
  );
}
