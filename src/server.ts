/**
 * startServer: one Bun.serve for everything: `/ws` upgrades go to the upgrade check, every other request to the Hono app.
 */
import type { Server, WebSocketHandler } from 'bun';
import type { SocketData } from './ws/socket-data.ts';
import type { Upgrade } from './ws/upgrade.ts';
import { AppError, errorResponse } from './errors.ts';

export interface ServerOptions {
  port: number;
  hostname: string;
  fetch: (request: Request, server: Server<SocketData>) => Response | Promise<Response>;
  /** Answers GET /ws (ws/upgrade.ts). */
  upgrade: Upgrade;
  /** The socket handlers (ws/session.ts). */
  websocket: WebSocketHandler<SocketData>;
  /** Lets several processes share the port (cluster mode). */
  reusePort: boolean;
}

/** Starts listening; `port: 0` picks a free port (read it from `server.port`). */
export function startServer({ port, hostname, fetch, upgrade, websocket, reusePort }: ServerOptions): Server<SocketData> {
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
      if (new URL(request.url).pathname === '/ws') return upgrade(request, server);
      return fetch(request, server);
    },
    websocket,
    // Last resort for anything thrown outside the Hono app (the upgrade path): the JSON shape, no stack.
    error() {
      return errorResponse(new AppError(500, 'internal', 'Internal error'));
    },
  });
}
