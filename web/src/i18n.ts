/**
 * Every string the panel shows, in one table per language; `stringsFor(locale)` picks by the language
 * part of the `locale` attribute and falls back to English. Add a language with a table of the same
 * shape (the type makes a missing string a compile error); each costs about 0.8 KB of the gzipped bundle.
 */
import type { Notice } from './store.ts';

const en = {
  notifications: 'Notifications',
  bellLabel: (count: string) => `Notifications, ${count} unread`,
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
  unavailable: 'Not available yet',
  unavailableDetail: 'This server does not offer this view yet.',
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

const de: Strings = {
  notifications: 'Benachrichtigungen',
  bellLabel: (count) => `Benachrichtigungen, ${count} ungelesen`,
  liveNone: 'Keine ungelesenen Benachrichtigungen',
  liveCount: (count) => `${count} ungelesene Benachrichtigungen`,
  reconnecting: 'Verbindung wird wiederhergestellt…',
  expiredShort: 'Sitzung abgelaufen',
  expired: 'Sitzung abgelaufen. Laden Sie die Seite neu, um neue Benachrichtigungen zu sehen.',
  markAllRead: 'Alle als gelesen markieren',
  show: 'Anzeigen',
  unread: 'Ungelesen',
  all: 'Alle',
  archived: 'Archiviert',
  dismiss: 'Schließen',
  close: 'Schließen',
  loadFailed: 'Benachrichtigungen konnten nicht geladen werden',
  loadFailedDetail: 'Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
  tryAgain: 'Erneut versuchen',
  unavailable: 'Noch nicht verfügbar',
  unavailableDetail: 'Dieser Server bietet diese Ansicht noch nicht an.',
  caughtUp: 'Sie sind auf dem neuesten Stand',
  caughtUpDetail: 'Neue Benachrichtigungen erscheinen hier.',
  empty: 'Noch keine Benachrichtigungen',
  emptyDetail: 'Wenn etwas passiert, sehen Sie es hier.',
  archiveEmpty: 'Nichts archiviert',
  archiveEmptyDetail: 'Archivierte Benachrichtigungen erscheinen hier.',
  loading: 'Benachrichtigungen werden geladen…',
  loadingMore: 'Ältere Benachrichtigungen werden geladen…',
  moreFailed: 'Weitere konnten nicht geladen werden.',
  retry: 'Erneut versuchen',
  end: 'Das ist alles.',
  unreadMarker: '(ungelesen)',
  markRead: 'Als gelesen markieren',
  markUnread: 'Als ungelesen markieren',
  archive: 'Archivieren',
  unarchive: 'Wiederherstellen',
  remove: 'Löschen',
  more: 'Weitere Aktionen',
  newTab: '(öffnet in neuem Tab)',
  today: 'Heute',
  yesterday: 'Gestern',
  earlier: 'Früher',
  notices: {
    readFailed: 'Als gelesen markieren',
    readAllFailed: 'Alle als gelesen markieren',
    unreadFailed: 'Als ungelesen markieren',
    archiveFailed: 'Archivieren',
    unarchiveFailed: 'Wiederherstellen',
    deleteFailed: 'Löschen',
  },
  failed: (what) => `${what} ist fehlgeschlagen. Bitte erneut versuchen.`,
};

const tables: Record<string, Strings> = { en, de };

/** The strings for `locale` ("de", "de-AT", "DE"), or English when the language has no table. */
export function stringsFor(locale: string | null | undefined): Strings {
  return tables[(locale ?? '').toLowerCase().split(/[-_]/)[0] ?? ''] ?? en;
}
