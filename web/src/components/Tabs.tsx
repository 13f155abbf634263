/** The view switch: Unread / All / Archived, then one tab per category the host configured. */
import { For } from 'solid-js';
import type { NotificationStore } from '../store.ts';
import type { Filter } from '../types.ts';
import { categoryLabel, type Ui } from '../ui.ts';

/** Props for {@link Tabs}. */
export interface TabsProps {
  store: NotificationStore;
  ui: Ui;
}

/** Toggle buttons in a group (not an ARIA tablist: each one reloads the list rather than showing a tab panel). */
export function Tabs(props: TabsProps) {
  const state = () => props.store.state;
  const tab = (label: string, filter: Filter, category: string | null) => (
    <button
      type="button"
      class="tab"
      aria-pressed={state().filter === filter && state().category === category}
      onClick={() => void props.store.setFilter(filter, category)}
    >
      {label}
    </button>
  );
  return (
    <div class="tabs" role="group" aria-label={props.ui.t.show}>
      {tab(props.ui.t.unread, 'unread', null)}
      {tab(props.ui.t.all, 'all', null)}
      {tab(props.ui.t.archived, 'archived', null)}
      <For each={props.ui.categories}>{(key) => tab(categoryLabel(props.ui, key), 'all', key)}</For>
    </div>
  );
}
