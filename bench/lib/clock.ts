/** A clock shared by every process on the machine, with sub-millisecond resolution. */

// Bun's process.hrtime is relative to process start, so it cannot compare two processes;
// timeOrigin + now() is wall-clock based with microsecond precision and is comparable.

/** Milliseconds since the epoch, fractional, comparable across processes on one machine. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `everyMs` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return await check();
}
