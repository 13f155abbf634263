/** Text formats the panel shows: relative times ("3 min ago") and the badge count ("99+"). */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "just now", "3 min ago", "2 hours ago", "yesterday", "4 days ago", then a date ("Mar 4", "Mar 4, 2025"). */
export function relativeTime(iso: string, nowMs: number): string {
  const then = Date.parse(iso);
  const seconds = Math.max(0, Math.floor((nowMs - then) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.max(1, Math.floor(seconds / 60));
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return hours === 1 ? '1 hour ago' : `${hours} hours ago`;
  const days = Math.floor(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  const date = new Date(then);
  const sameYear = date.getFullYear() === new Date(nowMs).getFullYear();
  return `${MONTHS[date.getMonth()]} ${date.getDate()}${sameYear ? '' : `, ${date.getFullYear()}`}`;
}

/** "99+" past 99, as the badge shows it. */
export function badgeText(count: number): string {
  return count > 99 ? '99+' : String(count);
}
