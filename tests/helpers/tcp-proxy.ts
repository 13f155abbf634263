/**
 * A TCP proxy for fault tests, put between belfry and Redis or Postgres. Switchable at runtime:
 *   pass       forward both ways (new and existing connections, except black-holed ones)
 *   refuse     close new connections at once; existing ones keep passing
 *   blackhole  accept new connections, and drop every byte both ways on all connections open now or later:
 *              a half-open peer. A black-holed connection stays dead after `pass()`, as a real half-open one does.
 *   pause      hold every byte both ways (a stalled server); `pass()` delivers what was held, in order
 * `reset()` destroys every open connection (the peer sees a reset or close).
 */
import type { Socket, TCPSocketListener } from 'bun';

export type ProxyMode = 'pass' | 'refuse' | 'blackhole' | 'pause';

interface Side {
  socket: Socket<Link> | undefined;
  /** Bytes waiting for this side to accept them (not connected yet, paused, or backpressure). */
  queue: Uint8Array[];
}

interface Link {
  id: number;
  client: Side;
  upstream: Side;
  dead: boolean;
  closed: boolean;
  /** The first bytes the client sent, to tell connections apart (a Redis CLIENT SETNAME, a Postgres user). */
  hello: string;
}

export interface TcpProxy {
  port: number;
  /** `host:port` of the proxy, to put in a URL in place of the real service. */
  address: string;
  mode(): ProxyMode;
  pass(): void;
  refuse(): void;
  /** Black-holes all connections from now on, or only the open ones whose first bytes match `only`. */
  blackhole(only?: (hello: string) => boolean): void;
  pause(): void;
  reset(): void;
  /** Connections open now, with the first bytes each client sent. */
  connections(): { id: number; hello: string; dead: boolean }[];
  stop(): void;
}

/** Starts a proxy on 127.0.0.1 (port 0) forwarding to `target` ("host:port"). */
export function startTcpProxy(target: string): TcpProxy {
  const [targetHost, targetPort] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  let mode: ProxyMode = 'pass';
  let nextId = 1;
  const links = new Set<Link>();

  const flush = (link: Link, side: Side) => {
    if (!side.socket || link.dead || mode === 'pause') return;
    while (side.queue.length > 0) {
      const chunk = side.queue[0]!;
      const written = side.socket.write(chunk);
      if (written < chunk.length) {
        side.queue[0] = chunk.subarray(written);
        return; // the rest goes out on drain
      }
      side.queue.shift();
    }
  };
  const forward = (link: Link, to: Side, data: Uint8Array) => {
    if (link.dead || link.closed) return;
    to.queue.push(new Uint8Array(data));
    flush(link, to);
  };
  const close = (link: Link) => {
    if (link.closed) return;
    link.closed = true;
    links.delete(link);
    link.client.socket?.end();
    link.upstream.socket?.end();
  };

  const server: TCPSocketListener<Link> = Bun.listen<Link>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open(client) {
        if (mode === 'refuse') return void client.end();
        const link: Link = { id: nextId++, client: { socket: client, queue: [] }, upstream: { socket: undefined, queue: [] }, dead: mode === 'blackhole', closed: false, hello: '' };
        client.data = link;
        links.add(link);
        Bun.connect<Link>({
          hostname: targetHost,
          port: targetPort,
          data: link,
          socket: {
            open(upstream) {
              if (link.closed) return void upstream.end();
              link.upstream.socket = upstream;
              flush(link, link.upstream);
            },
            data(_upstream, data) {
              forward(link, link.client, data);
            },
            drain() {
              flush(link, link.upstream);
            },
            close() {
              // A dead link keeps its client connected: the client must find out on its own.
              if (!link.dead) close(link);
            },
            error() {
              if (!link.dead) close(link);
            },
          },
        }).catch(() => close(link));
      },
      data(client, data) {
        const link = client.data;
        if (link.hello.length < 512) link.hello += new TextDecoder().decode(data.subarray(0, 512));
        forward(link, link.upstream, data);
      },
      drain(client) {
        flush(client.data, client.data.client);
      },
      close(client) {
        if (client.data) close(client.data);
      },
      error(client) {
        if (client.data) close(client.data);
      },
    },
  });

  const resume = () => {
    for (const link of links) {
      flush(link, link.upstream);
      flush(link, link.client);
    }
  };

  return {
    port: server.port,
    address: `127.0.0.1:${server.port}`,
    mode: () => mode,
    pass() {
      mode = 'pass';
      resume();
    },
    refuse() {
      mode = 'refuse';
      resume();
    },
    blackhole(only) {
      if (!only) mode = 'blackhole';
      for (const link of links) {
        if (only && !only(link.hello)) continue;
        link.dead = true;
        link.client.queue = [];
        link.upstream.queue = [];
      }
    },
    pause() {
      mode = 'pause';
    },
    reset() {
      for (const link of [...links]) {
        link.closed = true;
        links.delete(link);
        link.client.socket?.terminate();
        link.upstream.socket?.terminate();
      }
    },
    connections: () => [...links].map((link) => ({ id: link.id, hello: link.hello, dead: link.dead })),
    stop() {
      this.reset();
      server.stop(true);
    },
  };
}
