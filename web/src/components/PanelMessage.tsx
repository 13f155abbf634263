/** The panel's non-list states: empty ("all caught up") and failed to load (with a retry). */
import { Show } from 'solid-js';

/** Props for {@link PanelMessage}. */
export interface PanelMessageProps {
  kind: 'empty' | 'error';
  title: string;
  detail: string;
  retryLabel?: string;
  onRetry?: () => void;
}

/** A centred illustration with a title, a line of detail and, for errors, a retry button. */
export function PanelMessage(props: PanelMessageProps) {
  return (
    <div class="message-state" classList={{ error: props.kind === 'error' }} role={props.kind === 'error' ? 'alert' : undefined}>
      <svg class="illustration" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true">
        <circle cx="24" cy="24" r="23" class="illustration-bg" />
        <Show
          when={props.kind === 'empty'}
          fallback={<path d="M24 14v13m0 6.5v.5" fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round" />}
        >
          <path d="M16 25l5.5 5.5L33 19" fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round" stroke-linejoin="round" />
        </Show>
      </svg>
      <p class="message-title">{props.title}</p>
      <p class="message-detail">{props.detail}</p>
      <Show when={props.onRetry}>
        {(retry) => (
          <button type="button" class="button" onClick={() => retry()()}>
            {props.retryLabel}
          </button>
        )}
      </Show>
    </div>
  );
}
