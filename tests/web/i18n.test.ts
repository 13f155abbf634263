import { describe, expect, test } from 'bun:test';
import { badgeText, dayGroup, fullTime, humanise, initials, relativeTime, supportedLocale } from '../../web/src/format.ts';
import { stringsFor } from '../../web/src/i18n.ts';
import '../../web/src/i18n-de.ts';

const now = Date.parse('2026-03-10T12:00:00.000Z');
const ago = (ms: number) => new Date(now - ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('stringsFor', () => {
  test('English and German tables, chosen by the language part of the locale', () => {
    expect(stringsFor('en').markAllRead).toBe('Mark all as read');
    expect(stringsFor('de').markAllRead).toBe('Alle als gelesen markieren');
    expect(stringsFor('de-AT').today).toBe('Heute');
    expect(stringsFor('DE_ch').bellLabel('3')).toBe('Benachrichtigungen, 3 ungelesen');
    expect(stringsFor('en-GB').bellLabel('99+')).toBe('Notifications, 99+ unread');
  });

  test('unknown, empty and missing locales fall back to English', () => {
    for (const locale of ['xx', 'fr', '', null, undefined]) expect(stringsFor(locale).notifications).toBe('Notifications');
  });

  test('notices read as whole sentences in both languages', () => {
    const en = stringsFor('en');
    const de = stringsFor('de');
    expect(en.failed(en.notices.archiveFailed)).toBe('Could not archive the notification. Please try again.');
    expect(de.failed(de.notices.deleteFailed)).toBe('Löschen ist fehlgeschlagen. Bitte erneut versuchen.');
  });

  test('both tables carry every string, notices included', () => {
    const en = stringsFor('en');
    const de = stringsFor('de');
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(de.notices).sort()).toEqual(Object.keys(en.notices).sort());
    for (const [key, value] of Object.entries(de)) if (typeof value === 'string') expect(value).not.toBe('');
  });
});

describe('relativeTime through Intl', () => {
  test('English', () => {
    expect(relativeTime(ago(10_000), now, 'en')).toBe('now');
    expect(relativeTime(ago(3 * MIN), now, 'en')).toBe('3 min. ago');
    expect(relativeTime(ago(2 * HOUR), now, 'en')).toBe('2 hr. ago');
    expect(relativeTime(ago(DAY + HOUR), now, 'en')).toBe('yesterday');
    expect(relativeTime(ago(4 * DAY), now, 'en')).toBe('4 days ago');
    expect(relativeTime('2026-02-01T12:00:00.000Z', now, 'en')).toBe('Feb 1');
    expect(relativeTime('2025-02-01T12:00:00.000Z', now, 'en')).toBe('Feb 1, 2025');
  });

  test('German', () => {
    expect(relativeTime(ago(10_000), now, 'de')).toBe('jetzt');
    expect(relativeTime(ago(3 * MIN), now, 'de')).toBe('vor 3 Min.');
    expect(relativeTime(ago(2 * HOUR), now, 'de')).toBe('vor 2 Std.');
    expect(relativeTime(ago(DAY + HOUR), now, 'de')).toBe('gestern');
    expect(relativeTime(ago(4 * DAY), now, 'de')).toBe('vor 4 Tagen');
    expect(relativeTime('2026-02-01T12:00:00.000Z', now, 'de')).toBe('1. Feb.');
  });

  test('full time for tooltips is localised too', () => {
    expect(fullTime('2026-02-01T12:00:00.000Z', 'de')).toContain('1.2.2026');
    expect(fullTime('2026-02-01T12:00:00.000Z', 'en')).toContain('2/1/2026');
  });

  test('an invalid locale attribute falls back to English instead of throwing', () => {
    expect(supportedLocale('not a locale!')).toBe('en');
    expect(supportedLocale('de-at')).toBe('de-AT');
    expect(supportedLocale(null)).toBe('en');
  });
});

describe('day groups, labels, initials', () => {
  test('today, yesterday and earlier follow the local calendar day', () => {
    const local = new Date(2026, 2, 10, 0, 30).getTime();
    expect(dayGroup(new Date(2026, 2, 10, 0, 5).toISOString(), local)).toBe('today');
    expect(dayGroup(new Date(2026, 2, 9, 23, 55).toISOString(), local)).toBe('yesterday');
    expect(dayGroup(new Date(2026, 2, 9, 0, 0).toISOString(), local)).toBe('yesterday');
    expect(dayGroup(new Date(2026, 2, 8, 23, 59).toISOString(), local)).toBe('earlier');
  });

  test('a category key without a label reads as words, never as a raw key', () => {
    expect(humanise('team_invite')).toBe('Team invite');
    expect(humanise('BILLING')).toBe('Billing');
    expect(humanise('security.alert-high')).toBe('Security alert high');
  });

  test('initials, and the badge count', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('grace')).toBe('G');
    expect(initials('Maria de la Cruz')).toBe('MC');
    expect(initials('  ')).toBe('?');
    expect(badgeText(100)).toBe('99+');
  });
});
