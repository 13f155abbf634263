/** What the host configures about the panel's words: language, category labels and category tabs. */
import { humanise } from './format.ts';
import type { Strings } from './i18n.ts';

/** The host's settings the components read (reactive: the element replaces it when they change). */
export interface Ui {
  /** A locale `Intl` accepts, e.g. "de-AT". */
  locale: string;
  t: Strings;
  /** Category key → label, from `el.labels` or the `labels` attribute. */
  labels: Readonly<Record<string, string>>;
  /** Category keys shown as tabs after Unread / All / Archived. */
  categories: readonly string[];
}

/** The label for a category key: the host's, else the key as words (`team_invite` → "Team invite"). */
export function categoryLabel(ui: Ui, key: string): string {
  return Object.hasOwn(ui.labels, key) ? (ui.labels[key] ?? key) : humanise(key);
}
