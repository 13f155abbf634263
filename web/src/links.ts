/**
 * Where a notification's links may lead: only http(s) URLs and paths on the host page's own origin.
 * The server refuses other URLs too; checking again here keeps a `javascript:` or protocol-relative URL
 * from ever reaching `location` or an `href` should anything upstream slip.
 */

/** A link the panel may follow: its resolved href, and whether it leaves the host page's origin. */
export interface LinkTarget {
  href: string;
  external: boolean;
}

/** Resolves `url` against `origin`, or null unless it is an http(s) URL or a same-origin path (`/…`). */
export function linkTarget(url: unknown, origin: string): LinkTarget | null {
  if (typeof url !== 'string' || url.length > 2048) return null;
  let resolved: URL;
  try {
    // A path resolves against the page; anything else must stand on its own.
    resolved = url.startsWith('/') ? new URL(url, origin) : new URL(url);
  } catch {
    return null;
  }
  if (resolved.protocol !== 'https:' && resolved.protocol !== 'http:') return null;
  const external = resolved.origin !== new URL(origin).origin;
  // "//host/…" or "/\\host" start with a slash yet name another host: a path must stay home.
  if (url.startsWith('/') && external) return null;
  return { href: resolved.href, external };
}

/** Follows `target`: same-origin links in place, others in a new tab that cannot reach back to this page. */
export function follow(
  target: LinkTarget,
  win: Pick<Window, 'open'> & { location: Pick<Location, 'assign'> } = window,
): void {
  if (target.external) win.open(target.href, '_blank', 'noopener,noreferrer');
  else win.location.assign(target.href);
}

/** Whether `url` has a followable shape at all, whatever page the panel ends up on (for parsing). */
export const isLinkUrl = (url: unknown): url is string => linkTarget(url, 'https://page.invalid') !== null;
