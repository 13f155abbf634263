/**
 * The wire format of bus messages, written and read here only. A message is JSON; one this process ingested and
 * already delivered to its own sockets starts with `{"origin":"<process id>",` so that, received back from Redis,
 * it is recognised by a prefix check and dropped before the JSON and zod parse of the whole batch (the largest cost
 * of a burst on the one JavaScript thread). Messages without an origin (relayed, read, erased) reach every process.
 * The format is what docs/api.md documents, so processes of an older version read it during a rolling deploy.
 */
import { busMessageSchema, type BusMessage } from './messages.ts';

export type Decoded = { kind: 'message'; message: BusMessage } | { kind: 'own' } | { kind: 'not_json' } | { kind: 'malformed'; issues: number };

/** The serialised message; with `origin`, it leads the JSON so the echo check needs no parse. */
export function encodeBusMessage(message: BusMessage, origin?: string): string {
  const json = JSON.stringify(message);
  return origin === undefined ? json : `${originPrefix(origin)}${json.slice(1)}`;
}

/** What a decoder for `ownOrigin` makes of received messages. */
export function createBusDecoder(ownOrigin: string | undefined): (raw: string) => Decoded {
  const own = ownOrigin === undefined ? undefined : originPrefix(ownOrigin);
  return (raw) => {
    if (own !== undefined && raw.startsWith(own)) return { kind: 'own' };
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return { kind: 'not_json' };
    }
    // An origin further inside the object (another writer's key order) is still this process's echo.
    const origin = (value as { origin?: unknown } | null)?.origin;
    if (ownOrigin !== undefined && origin === ownOrigin) return { kind: 'own' };
    const parsed = busMessageSchema.safeParse(value);
    return parsed.success ? { kind: 'message', message: parsed.data } : { kind: 'malformed', issues: parsed.error.issues.length };
  };
}

function originPrefix(origin: string): string {
  return `{"origin":${JSON.stringify(origin)},`;
}
