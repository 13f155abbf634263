/**
 * Parsing request input at the boundary: JSON bodies and query strings through zod, every failure a clear 4xx.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { AppError, validationError } from '../errors.ts';

/** Parses the JSON body against `schema`: 415 for another content type, 400 for bad JSON or bad fields. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const contentType = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new AppError(415, 'unsupported_media_type', 'Send the body as application/json');
  }
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw new AppError(400, 'invalid_json', 'The body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError(400, 'invalid_json', 'The body must be a JSON object');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error, 'Request body is invalid');
  return parsed.data;
}

/** Parses the query string against `schema` (each parameter taken once, as a string). */
export function query<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw validationError(parsed.error, 'Query is invalid');
  return parsed.data;
}

/** A handler for a known path called with a method it does not take. */
export function methodNotAllowed(): never {
  throw new AppError(405, 'method_not_allowed', 'Method not allowed on this route');
}
