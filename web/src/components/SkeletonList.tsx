/** Placeholder rows while the first page loads, so the panel keeps its shape. */
import { For } from 'solid-js';

/** Props for {@link SkeletonList}. */
export interface SkeletonListProps {
  label: string;
}

/** Three shimmering rows, hidden from assistive technology (the panel announces "Loading"). */
export function SkeletonList(props: SkeletonListProps) {
  return (
    <div class="skeleton" role="status">
      <span class="sr-only">{props.label}</span>
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
