/**
 * The in-process bus: used when REDIS_URL is unset. Delivers to this process only, so it is for a single
 * process (the embedded default, tests of one instance); main.ts says so in the start-up log.
 */
import type { Bus, BusMessage } from './messages.ts';

/** Creates a bus that delivers each message to this process's handlers on the next microtask. */
export function createLocalBus(): Bus {
  const handlers: ((message: BusMessage) => void)[] = [];
  return {
    async publish(message, { echo = true } = {}) {
      // This process is the only one: a message it delivered itself goes nowhere else.
      if (!echo) return;
      queueMicrotask(() => {
        for (const handler of handlers) handler(message);
      });
    },
    onMessage(handler) {
      handlers.push(handler);
    },
    onGap() {
      // An in-process bus cannot lose its subscription.
    },
    async ping() {},
    async close() {},
  };
}
