/**
 * GET /openapi.json: the document, built once per app, public, and cacheable (ETag; a revalidation is a 304).
 */
import { Hono } from 'hono';
import { methodNotAllowed } from '../routes/input.ts';
import { createOpenApiDocument } from './document.ts';

/** The route, to mount at /. */
export function openApiRoutes() {
  const text = JSON.stringify(createOpenApiDocument());
  const etag = `"${new Bun.CryptoHasher('sha256').update(text).digest('base64url').slice(0, 27)}"`;
  // Short max-age: a deploy changes the document; the ETag makes every later revalidation cheap.
  const headers = { 'Cache-Control': 'public, max-age=300', ETag: etag };
  return new Hono()
    .get('/openapi.json', (c) => {
      const match = c.req.header('if-none-match')?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
      if (match) return c.body(null, 304, headers);
      return c.body(text, 200, { ...headers, 'Content-Type': 'application/json' });
    })
    .all('/openapi.json', methodNotAllowed);
}
