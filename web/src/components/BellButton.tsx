/** The bell: a real button with the unread badge, its state in aria-expanded and the count announced politely. */
import { Show } from 'solid-js';
import { badgeText } from '../format.ts';
import type { Strings } from '../i18n.ts';
import type { SocketStatus } from '../types.ts';
import { BellIcon } from './BellIcon.tsx';

/** Props for {@link BellButton}. */
export interface BellButtonProps {
  count: number;
  /** How many of `count` the user has not been shown yet (the server's `unseen`). */
  unseen: number;
  t: Strings;
  expanded: boolean;
  connection: SocketStatus;
  panelId: string;
  onToggle: () => void;
  ref: (element: HTMLButtonElement) => void;
}

/** The bell button and its badge. */
export function BellButton(props: BellButtonProps) {
  const label = () =>
    props.count === 0 ? props.t.notifications : props.t.bellLabel(badgeText(props.count)) + (props.unseen > 0 ? props.t.bellNew(badgeText(props.unseen)) : '');
  return (
    <>
      <button
        ref={props.ref}
        type="button"
        class="bell"
        classList={{ offline: props.connection === 'reconnecting' || props.connection === 'expired' }}
        aria-label={label()}
        aria-expanded={props.expanded}
        aria-controls={props.expanded ? props.panelId : undefined}
        aria-haspopup="dialog"
        // A tooltip only when there is news for pointer users; the name already carries the count.
        title={
          props.connection === 'reconnecting' ? props.t.reconnecting
          : props.connection === 'expired' ? props.t.expiredShort
          : undefined
        }
        onClick={() => props.onToggle()}
      >
        <BellIcon />
        <Show when={props.count > 0}>
          <span class="badge" classList={{ fresh: props.unseen > 0 }} data-testid="badge" aria-hidden="true">
            {badgeText(props.count)}
          </span>
        </Show>
      </button>
      <span class="sr-only" aria-live="polite" aria-atomic="true" data-testid="live-count">
        {props.count === 0 ? props.t.liveNone : props.t.liveCount(props.count)}
      </span>
    </>
  );
}
