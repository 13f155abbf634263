/**
 * Every string the panel shows, in one table per language; `stringsFor(locale)` picks by the language
 * part of the `locale` attribute and falls back to English. English is bundled; every other language is a
 * script of its own (i18n-de.ts → belfry-de.js, about 0.7 KB gzipped) that `loadStrings` fetches the first
 * time a panel speaks it, so a page pays only for its own language. Add one with a table of the same shape
 * (the type makes a missing string a compile error), an entry in `scripts` and one in web/vite.config.ts.
 */
import type { Notice } from './store.ts';

const en = {
  notifications: 'Notifications',
  bellLabel: (count: string) => `Notifications, ${count} unread`,
  bellNew: (count: string) => `, ${count} new`,
  liveNone: 'No unread notifications',
  liveCount: (count: number) => `${count} unread notifications`,
  reconnecting: 'Reconnecting…',
  expiredShort: 'Session expired',
  expired: 'Session expired. Reload the page for new notifications.',
  markAllRead: 'Mark all as read',
  show: 'Show',
  unread: 'Unread',
  all: 'All',
  archived: 'Archived',
  dismiss: 'Dismiss',
  close: 'Close',
  loadFailed: "Couldn't load notifications",
  loadFailedDetail: 'Check your connection and try again.',
  tryAgain: 'Try again',
  caughtUp: "You're all caught up",
  caughtUpDetail: 'New notifications will appear here.',
  empty: 'No notifications yet',
  emptyDetail: 'When something happens, you will see it here.',
  archiveEmpty: 'Nothing archived',
  archiveEmptyDetail: 'Archived notifications will appear here.',
  loading: 'Loading notifications…',
  loadingMore: 'Loading older notifications…',
  moreFailed: "Couldn't load more.",
  retry: 'Retry',
  end: "That's everything.",
  unreadMarker: '(unread)',
  newMarker: 'New',
  settings: 'Settings',
  markRead: 'Mark as read',
  markUnread: 'Mark as unread',
  archive: 'Archive',
  unarchive: 'Unarchive',
  remove: 'Delete',
  more: 'More actions',
  newTab: '(opens in a new tab)',
  today: 'Today',
  yesterday: 'Yesterday',
  earlier: 'Earlier',
  /** What failed, completed by `failed` into the notice shown. */
  notices: {
    readFailed: 'mark the notification as read',
    readAllFailed: 'mark all as read',
    unreadFailed: 'mark the notification as unread',
    archiveFailed: 'archive the notification',
    unarchiveFailed: 'restore the notification',
    deleteFailed: 'delete the notification',
  } satisfies Record<Notice, string>,
  failed: (what: string) => `Could not ${what}. Please try again.`,
};

/** The shape every language's table has. */
export type Strings = typeof en;

const tables: Record<string, Strings> = { en };
/** Languages whose table is a script of its own next to belfry-bell.js, fetched when a panel first speaks them. */
const scripts: Record<string, string> = { de: 'belfry-de.js' };
const language = (locale: string | null | undefined) => (locale ?? '').toLowerCase().split(/[-_]/)[0] ?? '';

/** The strings for `locale` ("de", "de-AT", "DE"), or English when its table is not (yet) loaded. */
export function stringsFor(locale: string | null | undefined): Strings {
  return tables[language(locale)] ?? en;
}

/** Registers a language's table; each i18n-<language>.ts calls it when loaded. */
export function addStrings(lang: string, table: Strings): void {
  tables[lang] = table;
}

/** Fetches the table for `locale` if there is one not loaded yet; true once it has arrived. */
export async function loadStrings(locale: string): Promise<boolean> {
  const lang = language(locale);
  const file = scripts[lang];
  if (!file || tables[lang]) return false;
  try {
    await import(/* @vite-ignore */ new URL(file, import.meta.url).href);
  } catch {
    return false; // Offline or blocked: English it is, until the next change of locale tries again.
  }
  return !!tables[lang];
}
