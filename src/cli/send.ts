/**
 * `belfry send`: posts events to a running belfry's REST API with the typed client: one from the flags, or a batch
 * from a JSON file. Prints the new ids, one per line.
 */
import { createBelfryClient } from '../client/client.ts';
import { BelfryBatchError, BelfryError, BelfryNetworkError } from '../client/errors.ts';
import type { BelfryEvent } from '../client/types.ts';
import { UsageError } from './commands.ts';
import { clientKey, type CliContext } from './context.ts';

/** A failure of the server or the network: exit code 1, one line. */
export class SendError extends Error {
  override name = 'SendError';
}

type Values = Record<string, string | boolean | undefined>;

async function eventsFromFile(path: string): Promise<BelfryEvent[]> {
  const file = Bun.file(path);
  if (!(await file.exists())) throw new UsageError(`belfry send: --file ${path} does not exist`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await file.text());
  } catch (error) {
    throw new UsageError(`belfry send: --file ${path} is not JSON (${(error as Error).message})`);
  }
  const events = Array.isArray(parsed) ? parsed : [parsed];
  if (!events.length || !events.every((event) => typeof event === 'object' && event !== null && !Array.isArray(event))) {
    throw new UsageError(`belfry send: --file ${path} must hold an event object or an array of them ({"user_id","type","message"})`);
  }
  // The server validates each field and answers with the path of every problem.
  return events as BelfryEvent[];
}

/** The events the command line asks for. */
export async function eventsFrom(values: Values, positionals: string[]): Promise<BelfryEvent[]> {
  if (typeof values.file === 'string') {
    if (values.user !== undefined || values.type !== undefined || positionals.length) {
      throw new UsageError('belfry send: use either --file or --user/--type "message", not both');
    }
    return eventsFromFile(values.file);
  }
  const [message] = positionals;
  const missing = [values.user === undefined && '--user', values.type === undefined && '--type', message === undefined && '"message"'].filter(Boolean);
  if (missing.length) throw new UsageError(`belfry send: ${missing.join(', ')} required (see belfry send --help)`);
  const event: BelfryEvent = { user_id: String(values.user), type: String(values.type), message: message! };
  if (typeof values['idempotency-key'] === 'string') event.idempotency_key = values['idempotency-key'];
  return [event];
}

/** The one line a failed send prints. */
export function explainSendError(error: unknown, url: string): string {
  const cause = error instanceof BelfryBatchError ? error.cause : error;
  const committed = error instanceof BelfryBatchError && error.committedIds.length ? ` (${error.committedIds.length} sent before it: ${error.committedIds.join(',')})` : '';
  if (cause instanceof BelfryNetworkError) return `cannot reach belfry at ${url}${committed}: start it (belfry start) or pass --url`;
  if (cause instanceof BelfryError) {
    if (cause.status === 401) return `belfry at ${url} refused the ingest key: set INGEST_API_KEY to the server's`;
    const details = cause.details?.map((detail) => `${detail.path}: ${detail.message}`).join('; ');
    return `belfry refused the events (${cause.status} ${cause.code})${committed}: ${details || cause.message}`;
  }
  return `belfry send failed: ${(error as Error).message}`;
}

/** Sends the events and prints their ids. */
export async function sendCommand(context: CliContext, values: Values, positionals: string[]): Promise<void> {
  const url = typeof values.url === 'string' ? values.url : `http://127.0.0.1:${context.config.http.port}`;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new UsageError(`belfry send: --url ${url} is not an http(s) URL`);
  const events = await eventsFrom(values, positionals);
  const client = createBelfryClient({ url, ingestKey: clientKey(context, 'ingestApiKey') });
  try {
    const { ids } = events.length === 1 ? await client.send(events[0]!) : await client.sendBatch(events);
    context.out(ids.join('\n'));
  } catch (error) {
    throw new SendError(explainSendError(error, url));
  }
}
