/**
 * The built panel (web/dist) at `/`: files as they are, `/` as index.html, with a CSP that allows no inline script.
 * The single executable serves the copy embedded in it (staticDir = embeddedWebRoot).
 */
import { Hono, type Context } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { normalize, resolve, sep } from 'node:path';
import { embeddedAssets } from '../embedded-assets.ts';

/** The staticDir that names the panel embedded in the executable rather than a folder. */
export const embeddedWebRoot = 'embedded:web';

/** The file for a decoded URL path: under `root` on disk, or in the embedded panel; undefined when outside it. */
function locate(root: string, embedded: Map<string, string> | undefined, decoded: string): string | undefined {
  if (embedded) return embedded.get(decoded);
  const file = resolve(root, normalize(`.${decoded}`));
  return file.startsWith(root + sep) ? file : undefined;
}

/**
 * The socket origins of the server a page was served from: its host over ws: and wss:. Both, because behind a
 * TLS-terminating proxy the request arrives over http while the page connects with wss:; the host is ours either way.
 * ('self' covers them in CSP Level 3 browsers; older ones need them named.)
 */
function ownSocketOrigins(c: Context): string {
  const { host } = new URL(c.req.url);
  return `ws://${host} wss://${host}`;
}

/** Serves files under `dir`; anything outside it, or missing, falls through to the 404 handler. */
export function staticRoutes(
  dir: string,
  { crossOrigin, demo, connectOrigins = [] }: { crossOrigin: boolean; demo: boolean; /** Configured CORS and allowed origins. */ connectOrigins?: readonly string[] },
) {
  const embedded = dir === embeddedWebRoot ? (embeddedAssets()?.web ?? new Map<string, string>()) : undefined;
  const root = resolve(dir);
  return new Hono()
    .use(
      secureHeaders({
        // Embedding pages on other origins (CORS_ORIGINS) load the panel's script and assets.
        crossOriginResourcePolicy: crossOrigin ? 'cross-origin' : 'same-origin',
        contentSecurityPolicy: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          // The server itself and the configured origins, never any ws:/wss: host: injected script must not be able to
          // ship data to a socket of its choosing.
          connectSrc: ["'self'", ownSocketOrigins, ...new Set(connectOrigins)],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      }),
    )
    .get('*', async (c, next) => {
      // index.html is the demo page: it signs in through /api/demo, which exists in demo mode only.
      if (!demo && (c.req.path === '/' || c.req.path === '/index.html')) return c.html(notDemoPage);
      const path = c.req.path === '/' ? '/index.html' : c.req.path;
      const decoded = decodeURIComponentSafe(path);
      // A NUL can name no file (and makes the file API throw).
      if (decoded.includes('\0')) return next();
      const file = locate(root, embedded, decoded);
      if (!file) return next();
      let blob: ReturnType<typeof Bun.file>;
      try {
        blob = Bun.file(file);
        if (!(await blob.exists())) return next();
      } catch {
        // Names the file system refuses (too long, say) throw: they are not files either.
        return next();
      }
      const immutable = path.startsWith('/assets/');
      c.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      // Embedded files keep a hashed name of their own: the type comes from the name asked for.
      const type = embedded ? Bun.file(decoded).type : blob.type;
      return c.body(blob.stream(), 200, { 'Content-Type': type });
    });
}

const notDemoPage = `<!doctype html><html lang="en"><meta charset="utf-8"><title>belfry</title>
<p>belfry is running. Embed the bell with <code>&lt;script type="module" src="/belfry-bell.js"&gt;&lt;/script&gt;</code>;
the API is described at <a href="/openapi.json">/openapi.json</a>.</p></html>`;

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
