/** A reactive clock so relative times ("3 min ago") keep up while the panel is open. */
import { createSignal, onCleanup, type Accessor } from 'solid-js';

/** A signal holding `Date.now()`, refreshed every `intervalMs` while its owner lives. */
export function createClock(intervalMs = 15_000): Accessor<number> {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), intervalMs);
  onCleanup(() => clearInterval(timer));
  return now;
}
