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
  // Optional content, validated at ingest; here only its shape, so a bad message cannot reach a socket.
  title: z.string().optional(),
  url: z.string().optional(),
  actor: z.object({ id: z.string().optional(), name: z.string(), avatar_url: z.string().optional() }).optional(),
  actions: z.array(z.object({ label: z.string(), url: z.string() })).optional(),
  category: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

const ids = z.array(z.string().regex(/^\d+$/));

/** A message as handlers see it; who sent it is the bus's business (src/bus/wire.ts). */
export const busMessageSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('notifications'),
    items: z.array(busNotification),
  }),
  z.object({
    kind: z.literal('read'),
    user_id: z.string().min(1),
    ids,
    unread_count: z.number().int().min(0),
  }),
  z.object({ kind: z.literal('erased'), user_id: z.string().min(1) }),
  /** A state change other than read (READ keeps its own kind): unread, seen, archived, unarchived, deleted. */
  z.object({
    kind: z.literal('changed'),
    user_id: z.string().min(1),
    change: z.enum(['unread', 'seen', 'archived', 'unarchived', 'deleted']),
    ids,
    unread_count: z.number().int().min(0),
  }),
  /** The user's mutes now: each process's gateway replaces what it holds for the user. */
  z.object({
    kind: z.literal('preferences'),
    user_id: z.string().min(1),
    muted: z.object({ categories: z.array(z.string()), types: z.array(z.string()) }),
  }),
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
