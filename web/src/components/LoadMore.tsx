/** The end of the list: watches itself scroll into view to fetch the next page, and says when there is no more. */
import { createEffect, onCleanup, onMount, Show } from 'solid-js';
import type { Strings } from '../i18n.ts';

/** Props for {@link LoadMore}. */
export interface LoadMoreProps {
  hasMore: boolean;
  loading: boolean;
  failed: boolean;
  /** Changes whenever the list grows, so a still-visible sentinel asks again. */
  size: number;
  t: Strings;
  onMore: () => void;
}

/** Sentinel row under the list. */
export function LoadMore(props: LoadMoreProps) {
  let element!: HTMLDivElement;
  let visible = false;
  onMount(() => {
    const observer = new IntersectionObserver(
      (entries) => {
        visible = entries.some((entry) => entry.isIntersecting);
        if (visible && props.hasMore && !props.loading && !props.failed) props.onMore();
      },
      { root: element.closest('.scroller'), rootMargin: '0px 0px 120px 0px' },
    );
    observer.observe(element);
    onCleanup(() => observer.disconnect());
  });
  // A short page may leave the sentinel in view: the observer will not fire again, so ask here.
  createEffect(() => {
    void props.size;
    if (visible && props.hasMore && !props.loading && !props.failed) props.onMore();
  });
  return (
    <div class="more" ref={element} aria-live="polite">
      <Show when={props.loading}>
        <span class="spinner" aria-hidden="true" /> {props.t.loadingMore}
      </Show>
      <Show when={props.failed && !props.loading}>
        {props.t.moreFailed}{' '}
        <button type="button" class="link" onClick={() => props.onMore()}>
          {props.t.retry}
        </button>
      </Show>
      {/* Only worth saying once the list is long enough to have been scrolled. */}
      <Show when={!props.hasMore && !props.loading && !props.failed && props.size > 5}>
        <span class="end">{props.t.end}</span>
      </Show>
    </div>
  );
}
