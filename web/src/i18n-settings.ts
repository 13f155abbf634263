/**
 * The settings view's strings, one table per language like i18n.ts; kept apart so they load with the view
 * (a lazy chunk) instead of weighing on every page that shows the bell.
 */

const en = {
  back: 'Back to notifications',
  intro: 'Muted notifications stay under All, but they are not counted on the bell and do not pop up.',
  categories: 'Mute categories',
  types: 'Mute types',
  nothing: 'Nothing to mute yet: categories appear here once notifications bring them.',
  loading: 'Loading settings…',
  loadFailed: "Couldn't load your settings",
  saveFailed: "Couldn't save the change. Please try again.",
  retry: 'Try again',
};

/** The shape every language's settings table has. */
export type SettingsStrings = typeof en;

const de: SettingsStrings = {
  back: 'Zurück zu den Benachrichtigungen',
  intro: 'Stummgeschaltete Benachrichtigungen bleiben unter „Alle“, werden aber nicht an der Glocke gezählt und nicht eingeblendet.',
  categories: 'Kategorien stummschalten',
  types: 'Typen stummschalten',
  nothing: 'Noch nichts stummzuschalten: Kategorien erscheinen hier, sobald Benachrichtigungen sie mitbringen.',
  loading: 'Einstellungen werden geladen…',
  loadFailed: 'Ihre Einstellungen konnten nicht geladen werden',
  saveFailed: 'Die Änderung konnte nicht gespeichert werden. Bitte erneut versuchen.',
  retry: 'Erneut versuchen',
};

/** The settings strings for `locale`, by its language part; English when there is no table. */
export function settingsStringsFor(locale: string): SettingsStrings {
  return locale.toLowerCase().split(/[-_]/)[0] === 'de' ? de : en;
}
