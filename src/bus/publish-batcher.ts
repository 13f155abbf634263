/**
 * Publishes the notifications committed in one event-loop turn as one bus message. Inserts in flight commit
 * close together under load; each used to cost its own PUBLISH and socket write, which profiles showed to be a
 * large share of the ingest path. The flush waits for `setImmediate`, after the I/O of the current turn, so the
 * commits whose answers arrived together ride in one message; a lone commit waits for nothing more.
 */
import type { Bus, BusNotification } from './messages.ts';

export interface PublishBatcherOptions {
  /** Passed to every publish: false when the caller delivers to its own sockets itself. */
  echo: boolean;
  /** Most items in one message; a batch that would pass it starts the next message (one batch is never split). */
  maxItems?: number;
}

export interface PublishBatcher {
  /** Resolves once the message carrying `items` is published; rejects when that publish fails. */
  publish(items: BusNotification[]): Promise<void>;
}

interface Waiting {
  items: BusNotification[];
  callers: { resolve(): void; reject(error: unknown): void }[];
}

/** Creates a batcher that sends through `bus`. */
export function createPublishBatcher(bus: Bus, { echo, maxItems = 5000 }: PublishBatcherOptions): PublishBatcher {
  let open: Waiting | undefined;

  function send(batch: Waiting) {
    if (open === batch) open = undefined;
    bus.publish({ kind: 'notifications', items: batch.items }, { echo }).then(
      () => batch.callers.forEach((caller) => caller.resolve()),
      (error: unknown) => batch.callers.forEach((caller) => caller.reject(error)),
    );
  }

  return {
    publish(items) {
      return new Promise((resolve, reject) => {
        if (open && open.items.length > 0 && open.items.length + items.length > maxItems) send(open);
        if (!open) {
          const batch: Waiting = { items: [], callers: [] };
          open = batch;
          setImmediate(() => open === batch && send(batch));
        }
        for (const item of items) open.items.push(item);
        open.callers.push({ resolve, reject });
      });
    },
  };
}
