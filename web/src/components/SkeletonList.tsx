/** Placeholder rows while the first page loads, so the panel keeps its shape. */
import { For } from 'solid-js';

/** Three shimmering rows, hidden from assistive technology (the panel announces "Loading"). */
export function SkeletonList() {
  return (
    <div class="skeleton" role="status">
      <span class="sr-only">Loading notifications…</span>
      <For each={[0, 1, 2]}>
        {() => (
          <div class="skeleton-row" aria-hidden="true">
            <span class="skeleton-line short" />
            <span class="skeleton-line" />
          </div>
        )}
      </For>
    </div>
  );
}
