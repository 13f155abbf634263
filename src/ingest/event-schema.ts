/**
 * The shape of an ingested event, shared by POST /api/events and the demo route: the original fields, the optional
 * content a panel renders (title, links, actor, actions, category, data), and one recipient or many.
 */
import { z } from 'zod';
import { userIdSchema } from '../auth/tokens.ts';

const noControl = /^[^\u0000-\u001f\u007f]+$/;
// Postgres text cannot hold NUL; everything else in a message is the sender's business.
const noNul = /^[^\u0000]*$/;
// Lone surrogates would be stored as U+FFFD: two different keys could collide, a type or message change.
const wellFormed = (value: string) => value.isWellFormed();
const wellFormedMessage = 'must be well-formed Unicode (no lone surrogates)';

const line = (max: number) =>
  z.string().min(1).max(max).regex(noControl, 'must not contain control characters').refine(wellFormed, wellFormedMessage);

/** A short key: a category, or a muted category in preferences. */
export const categorySchema = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/i, 'must be 1–64 letters, digits, "_", "." or "-", starting with a letter or digit');

/** A notification type; also what preferences mute. */
export const typeSchema = line(64);

const maxUrl = 2048;
// Whitespace and control characters are stripped by browsers (`/\t/evil.example` becomes `//evil.example`), and a
// backslash counts as a slash (`/\evil.example`): refused anywhere, so what is stored is what a browser follows.
const urlCharacters = /^[^\s\u0000-\u001f\u007f\\]+$/;

function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    // user:password@ in a link is a classic way to dress one host up as another.
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/** An absolute http(s) URL. */
export const absoluteUrlSchema = z
  .string()
  .max(maxUrl)
  .regex(urlCharacters, 'must not contain spaces, control characters or backslashes')
  .refine(isHttpUrl, 'must be an absolute https: or http: URL');

/** A link: an absolute http(s) URL or a path on the host application (`/…`, never `//…`). */
export const linkSchema = z
  .string()
  .max(maxUrl)
  .regex(urlCharacters, 'must not contain spaces, control characters or backslashes')
  .refine((value) => (value.startsWith('/') ? !value.startsWith('//') : isHttpUrl(value)), 'must be an https: or http: URL, or a path starting with a single "/"');

export const maxDataBytes = 4096;
const maxDataDepth = 16;
const encoder = new TextEncoder();

/** Deep check of `data`: depth bounded, every string (keys too) storable and well-formed. */
function dataProblem(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') return !value.isWellFormed() ? wellFormedMessage : value.includes('\u0000') ? 'must not contain NUL characters' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= maxDataDepth) return `must not nest deeper than ${maxDataDepth} levels`;
  for (const [key, item] of Object.entries(value)) {
    const problem = (Array.isArray(value) ? undefined : dataProblem(key, depth + 1)) ?? dataProblem(item, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** Free-form JSON object for the host application, passed through untouched. */
export const dataSchema = z.record(z.string(), z.unknown()).check((ctx) => {
  const problem = dataProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  else if (encoder.encode(JSON.stringify(ctx.value)).length > maxDataBytes) {
    ctx.issues.push({ code: 'custom', message: `must be at most ${maxDataBytes} bytes as JSON`, input: ctx.value });
  }
});

const actorSchema = z.strictObject({
  id: line(255).optional(),
  name: line(200),
  avatar_url: absoluteUrlSchema.optional(),
});

const actionSchema = z.strictObject({
  label: line(64),
  url: linkSchema,
});

/** Everything of an event but its recipient. */
const contentShape = {
  type: typeSchema,
  message: z.string().min(1).max(4000).regex(noNul, 'must not contain NUL characters').refine(wellFormed, wellFormedMessage),
  idempotency_key: z.string().min(1).max(255).regex(noNul, 'must not contain NUL characters').refine(wellFormed, wellFormedMessage).optional(),
  title: line(200).optional(),
  url: linkSchema.optional(),
  actor: actorSchema.optional(),
  actions: z.array(actionSchema).max(2).optional(),
  category: categorySchema.optional(),
  data: dataSchema.optional(),
};

/** One event for one user. */
export const eventSchema = z.strictObject({ user_id: userIdSchema, ...contentShape });

export const maxBatch = 1000;
/** Most rows one request may create, after `user_ids` are expanded. */
export const maxRows = 1000;

/** One event for `user_id`, or for each of `user_ids` (1–1000 distinct users): exactly one of the two. */
export const recipientEventSchema = z
  .strictObject({
    user_id: userIdSchema.optional(),
    user_ids: z
      .array(userIdSchema)
      .min(1)
      // Checked here rather than with .max(): a failing .max() makes the body's union report only "Invalid input".
      .check((ctx) => {
        if (ctx.value.length > maxRows) {
          return void ctx.issues.push({ code: 'custom', message: `names ${ctx.value.length} users; at most ${maxRows}`, input: ctx.value, continue: true });
        }
        const seen = new Set<string>();
        ctx.value.forEach((userId, index) => {
          if (seen.has(userId)) ctx.issues.push({ code: 'custom', path: [index], message: 'repeats an earlier user id: each user once', input: userId, continue: true });
          seen.add(userId);
        });
      })
      .optional(),
    ...contentShape,
  })
  .check((ctx) => {
    if ((ctx.value.user_id === undefined) === (ctx.value.user_ids === undefined)) {
      ctx.issues.push({ code: 'custom', path: ['user_id'], message: 'give exactly one of user_id and user_ids', input: ctx.value, continue: true });
    }
  });

export type RecipientEvent = z.infer<typeof recipientEventSchema>;

const rowsOf = (event: RecipientEvent) => event.user_ids?.length ?? 1;

/** One event, or `{ events: [...] }` with 1–1000 of them; at most 1000 rows after expansion. */
export const ingestBodySchema = z.union([
  z
    .strictObject({ events: z.array(recipientEventSchema).min(1).max(maxBatch) })
    .check((ctx) => {
      const rows = ctx.value.events.reduce((sum, event) => sum + rowsOf(event), 0);
      if (rows > maxRows) {
        ctx.issues.push({ code: 'custom', path: ['events'], message: `expands to ${rows} notifications; at most ${maxRows} per request`, input: ctx.value, continue: true });
      }
    }),
  recipientEventSchema,
]);

export type IngestEvent = z.infer<typeof eventSchema>;

/** A notification id as clients see it: a decimal string (int8 in Postgres, too wide for a JSON number). */
export const notificationIdJson = z.string().regex(/^[1-9][0-9]*$/);

/** The 201 body of an ingest: the ids in request order. */
export const ingestResultJson = z.strictObject({ ids: z.array(notificationIdJson) });
export type IngestBody = z.infer<typeof ingestBodySchema>;

/** The rows a request creates, in order of expansion: each event in turn, one per recipient in `user_ids` order. */
export function expandEvents(body: IngestBody): IngestEvent[] {
  const events = 'events' in body ? body.events : [body];
  return events.flatMap(({ user_id, user_ids, ...content }) => (user_ids ?? [user_id!]).map((recipient) => ({ user_id: recipient, ...content })));
}
