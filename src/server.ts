/**
 * startServer: one Bun.serve for everything: `/ws` upgrades go to the gateway, every other request to the Hono app.
 */
import type { Server } from 'bun';
import type { Gateway, SocketData } from './ws/gateway.ts';

export interface ServerOptions {
  port: number;
  hostname?: string;
  fetch: (request: Request) => Response | Promise<Response>;
  gateway: Gateway;
  /** Lets several processes share the port (cluster mode). */
  reusePort?: boolean;
}

/** Starts listening; `port: 0` picks a free port (read it from `server.port`). */
export function startServer({ port, hostname = '0.0.0.0', fetch, gateway, reusePort = false }: ServerOptions): Server<SocketData> {
  return Bun.serve<SocketData>({
    port,
    hostname,
    reusePort,
    // The largest legitimate body is a 1000-event batch (4 MiB route limit); refuse more before reading it.
    maxRequestBodySize: 5 * 1024 * 1024,
    async fetch(request, server) {
      if (new URL(request.url).pathname === '/ws') return gateway.upgrade(request, server);
      return fetch(request);
    },
    websocket: gateway.websocket,
    // Last resort for anything thrown outside the Hono app (the upgrade path): the JSON shape, no stack.
    error() {
      return Response.json({ error: { code: 'internal', message: 'Internal error' } }, { status: 500 });
    },
  });
}
