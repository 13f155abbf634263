/** The whole widget: the bell and, when open, the panel; owns only open/closed and focus return. */
import { createSignal, onCleanup, onMount, Show } from 'solid-js';
import type { ApiOptions } from '../api.ts';
import type { NotificationStore } from '../store.ts';
import type { BelfryNotification } from '../types.ts';
import type { Ui } from '../ui.ts';
import { BellButton } from './BellButton.tsx';
import { Panel } from './Panel.tsx';

/** Props for {@link Bell}. */
export interface BellProps {
  store: NotificationStore;
  /** Where and as whom the settings view talks to the server. */
  apiOptions: ApiOptions;
  ui: Ui;
  /** Called when the user opens a notification (after it is marked read): the element announces it and follows its link. */
  onOpen?: (item: BelfryNotification) => void;
}

let instances = 0;

/** The bell with its popover panel. */
export function Bell(props: BellProps) {
  const panelId = `belfry-panel-${++instances}`;
  const [open, setOpen] = createSignal(false);
  let root!: HTMLDivElement;
  let button: HTMLButtonElement | undefined;

  const close = (returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) button?.focus();
  };
  const openItem = (item: BelfryNotification) => {
    void props.store.markRead(item.id);
    props.onOpen?.(item);
  };

  onMount(() => {
    // Clicking anywhere outside the widget closes it; composedPath sees through the shadow root.
    const outside = (event: PointerEvent) => {
      if (open() && !event.composedPath().includes(root)) close(false);
    };
    // Esc closes from anywhere (focus may sit in the host page), and focus goes back to the bell.
    const escape = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || !open()) return;
      event.preventDefault();
      close(true);
    };
    document.addEventListener('pointerdown', outside);
    document.addEventListener('keydown', escape);
    onCleanup(() => {
      document.removeEventListener('pointerdown', outside);
      document.removeEventListener('keydown', escape);
    });
  });

  return (
    <div class="root" ref={root}>
      <BellButton
        ref={(element) => (button = element)}
        count={props.store.unreadCount()}
        // While open the list itself shows what is new; the bell speaks of it only when closed.
        unseen={open() ? 0 : props.store.unseenCount()}
        t={props.ui.t}
        expanded={open()}
        connection={props.store.state.connection}
        panelId={panelId}
        onToggle={() => (open() ? close(true) : setOpen(true))}
      />
      <Show when={open()}>
        <Panel id={panelId} store={props.store} apiOptions={props.apiOptions} ui={props.ui} onOpen={openItem} onClose={() => close(true)} />
      </Show>
    </div>
  );
}
