/**
 * A row's menu: mark read or unread, archive or unarchive, delete. It opens inline under the row (so the
 * scrolling list never clips it); arrow keys, Home and End move between its items, Esc or Tab close it.
 */
import { createSignal, For, Show } from 'solid-js';

/** One entry of the menu. */
export interface RowMenuEntry {
  label: string;
  run: () => void;
}

/** Props for {@link RowMenu}. */
export interface RowMenuProps {
  label: string;
  entries: RowMenuEntry[];
}

let menus = 0;

/** The "More actions" button and its menu. */
export function RowMenu(props: RowMenuProps) {
  const id = `belfry-menu-${++menus}`;
  const [open, setOpen] = createSignal(false);
  let button!: HTMLButtonElement;
  let menu: HTMLDivElement | undefined;
  const items = () => [...(menu?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const all = items();
    const at = all.indexOf((menu?.getRootNode() as ShadowRoot).activeElement as HTMLElement);
    const last = all.length - 1;
    const moves: Record<string, number> = { ArrowDown: at < last ? at + 1 : 0, ArrowUp: at > 0 ? at - 1 : last, Home: 0, End: last };
    if (event.key in moves) all[moves[event.key]!]?.focus();
    else if (event.key === 'Escape') close(true);
    else if (event.key === 'Tab') return setOpen(false);
    else return;
    // Handled here: the list's arrow keys and the panel's Esc must not act as well (hence a native
    // listener: delegated handlers run at the document, too late to stop the panel's own listener).
    event.preventDefault();
    event.stopPropagation();
  };
  return (
    <>
      <button
        ref={button}
        type="button"
        class="menu-button"
        aria-label={props.label}
        title={props.label}
        aria-haspopup="menu"
        aria-expanded={open()}
        aria-controls={open() ? id : undefined}
        onClick={() => {
          setOpen(!open());
          if (open()) items()[0]?.focus();
        }}
      >
        <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
          <path fill="currentColor" d="M3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3Zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3Zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3Z" />
        </svg>
      </button>
      <Show when={open()}>
        <div ref={menu} id={id} class="menu" role="menu" aria-label={props.label} on:keydown={onKeyDown}>
          <For each={props.entries}>
            {(entry) => (
              <button
                type="button"
                class="menu-item"
                role="menuitem"
                tabIndex={-1}
                onClick={() => {
                  close(true);
                  entry.run();
                }}
              >
                {entry.label}
              </button>
            )}
          </For>
        </div>
      </Show>
    </>
  );
}
