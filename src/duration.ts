/**
 * Durations as people write them in env files and on the command line: `3600` (seconds), `90s`, `15m`, `24h`, `7d`.
 */
const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Whole seconds, or undefined when `text` is not a duration (negative, fractional seconds or unknown units included). */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d{1,9})\s*([smhd]?)\s*$/i.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (units[(match[2] || 's').toLowerCase()] ?? 1);
}
