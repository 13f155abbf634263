/**
 * What travels between belfry processes, and the zod schema every received message is parsed with.
 * A message carries a batch: one ingest becomes one message whatever its size; gateways fan out locally.
 */
import { z } from 'zod';

const busNotification = z.object({
  id: z.string().regex(/^\d+$/),
  user_id: z.string().min(1),
  type: z.string(),
  message: z.string(),
  created_at: z.string(),
});

/** A message as handlers see it; who sent it is the bus's business (src/bus/wire.ts). */
export const busMessageSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('notifications'),
    items: z.array(busNotification),
  }),
  z.object({
    kind: z.literal('read'),
    user_id: z.string().min(1),
    ids: z.array(z.string().regex(/^\d+$/)),
    unread_count: z.number().int().min(0),
  }),
  z.object({ kind: z.literal('erased'), user_id: z.string().min(1) }),
]);

export type BusMessage = z.infer<typeof busMessageSchema>;
export type BusNotification = z.infer<typeof busNotification>;

/** The fan-out bus between belfry processes: Redis in production, in-process for a single-process start. */
export interface Bus {
  /**
   * Sends a message to every process, this one included unless `echo` is false (the caller delivered it here
   * already). Rejects when the bus cannot take it: away, too slow, or too many publishes waiting.
   */
  publish(message: BusMessage, options?: { echo?: boolean }): Promise<void>;
  /** Registers the handler for every message received. */
  onMessage(handler: (message: BusMessage) => void): void;
  /** Registers a handler for "the subscription was interrupted and is back": messages may have been missed. */
  onGap(handler: () => void): void;
  /** Resolves when the bus answers and its subscription is known to be alive; rejects otherwise. */
  ping(): Promise<void>;
  /** Closes the connections; never waits longer than a command timeout for a peer that does not answer. */
  close(): Promise<void>;
}
