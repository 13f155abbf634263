/**
 * Text formats the panel shows, in the user's locale through `Intl`: relative times ("3 min. ago",
 * "vor 3 Min."), dates, day groups, category labels, initials and the badge count ("99+").
 */

const cache = new Map<string, Intl.RelativeTimeFormat | Intl.DateTimeFormat>();

/** A locale `Intl` accepts: the one given when valid, else English (a bad attribute must not break the panel). */
export function supportedLocale(locale: string | null | undefined): string {
  try {
    return Intl.getCanonicalLocales(locale || 'en')[0] ?? 'en';
  } catch {
    return 'en';
  }
}

/** Formatters are costly to build and every row wants one: one per locale and kind. */
function formatter<T extends Intl.RelativeTimeFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let found = cache.get(key) as T | undefined;
  if (!found) cache.set(key, (found = make()));
  return found;
}

/** "now", "3 min. ago", "2 hr. ago", "yesterday", "4 days ago", then a date ("Mar 4", "Mar 4, 2025"). */
export function relativeTime(iso: string, nowMs: number, locale = 'en'): string {
  const then = Date.parse(iso);
  const seconds = Math.max(0, Math.floor((nowMs - then) / 1000));
  const rtf = formatter(`r:${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' }));
  if (seconds < 45) return rtf.format(0, 'second');
  const minutes = Math.max(1, Math.floor(seconds / 60));
  if (minutes < 60) return rtf.format(-minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return rtf.format(-hours, 'hour');
  const days = Math.floor(hours / 24);
  if (days < 7) return rtf.format(-days, 'day');
  const sameYear = new Date(then).getFullYear() === new Date(nowMs).getFullYear();
  const key = `d:${locale}:${sameYear}`;
  const options: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }) };
  return formatter(key, () => new Intl.DateTimeFormat(locale, options)).format(then);
}

/** The full local date and time, for a tooltip. */
export const fullTime = (iso: string, locale = 'en'): string => new Date(iso).toLocaleString(locale);

/** Which heading a notification falls under, by the viewer's calendar day (not by 24-hour spans). */
export type DayGroup = 'today' | 'yesterday' | 'earlier';

/** The day group of `iso` as seen at `nowMs`, in the local time zone. */
export function dayGroup(iso: string, nowMs: number): DayGroup {
  const midnight = new Date(nowMs);
  midnight.setHours(0, 0, 0, 0);
  const then = Date.parse(iso);
  if (then >= midnight.getTime()) return 'today';
  midnight.setDate(midnight.getDate() - 1);
  return then >= midnight.getTime() ? 'yesterday' : 'earlier';
}

/** A category key as words, for categories the host gave no label: `team_invite` → "Team invite". */
export function humanise(key: string): string {
  const words = key.replace(/[_.:-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Up to two initials for an avatar that has no picture: "Ada Lovelace" → "AL", "grace" → "G". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = words[0] ?? '';
  const last = words.length > 1 ? (words.at(-1) ?? '') : '';
  // Array.from splits by code point, so an emoji or astral letter stays whole.
  return (Array.from(first)[0] ?? '').concat(Array.from(last)[0] ?? '').toUpperCase() || '?';
}

/** "99+" past 99, as the badge shows it. */
export function badgeText(count: number): string {
  return count > 99 ? '99+' : String(count);
}
