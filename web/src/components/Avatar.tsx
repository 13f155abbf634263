/** Who a notification is from: their picture, or their initials when there is none or it fails to load. */
import { createSignal, Show } from 'solid-js';
import { initials } from '../format.ts';
import type { Actor } from '../types.ts';

/** Props for {@link Avatar}. */
export interface AvatarProps {
  actor: Actor;
}

/** A round picture or initials; the picture's request carries no referrer (it would leak the host page's URL). */
export function Avatar(props: AvatarProps) {
  const [failed, setFailed] = createSignal(false);
  return (
    <Show
      when={props.actor.avatar_url && !failed()}
      fallback={
        <span class="avatar initials" aria-hidden="true">
          {initials(props.actor.name)}
        </span>
      }
    >
      <img
        class="avatar"
        src={props.actor.avatar_url}
        alt={props.actor.name}
        width="32"
        height="32"
        loading="lazy"
        referrerpolicy="no-referrer"
        onError={() => setFailed(true)}
      />
    </Show>
  );
}
