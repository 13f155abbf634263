/**
 * startServer: one Bun.serve for everything: `/ws` upgrades go to the gateway, every other request to the Hono app.
 */
import type { Server } from 'bun';
import type { Gateway, SocketData } from './ws/gateway.ts';
import { AppError, errorResponse } from './errors.ts';

export interface ServerOptions {
  port: number;
  hostname: string;
  fetch: (request: Request, server: Server<SocketData>) => Response | Promise<Response>;
  gateway: Gateway;
  /** Lets several processes share the port (cluster mode). */
  reusePort: boolean;
}

/** Starts listening; `port: 0` picks a free port (read it from `server.port`). */
export function startServer({ port, hostname, fetch, gateway, reusePort }: ServerOptions): Server<SocketData> {
  return Bun.serve<SocketData>({
    port,
    hostname,
    reusePort,
    // The routes' own limits (16 KiB, 4 MiB) answer with the JSON error; this outer bound only stops absurd bodies,
    // which Bun refuses with a bare 413 before any code runs.
    maxRequestBodySize: 64 * 1024 * 1024,
    async fetch(request, server) {
      // Without a Host header (HTTP/1.0) or with an authority-form target (CONNECT) there is no URL to route.
      if (!URL.canParse(request.url)) return errorResponse(new AppError(400, 'bad_request', 'The request line has no usable URL'));
      if (new URL(request.url).pathname === '/ws') return gateway.upgrade(request, server);
      return fetch(request, server);
    },
    websocket: gateway.websocket,
    // Last resort for anything thrown outside the Hono app (the upgrade path): the JSON shape, no stack.
    error() {
      return errorResponse(new AppError(500, 'internal', 'Internal error'));
    },
  });
}
