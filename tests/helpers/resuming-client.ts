/**
 * A client that behaves like the panel across failures: it keeps a list merged by id, reconnects (to the next
 * server in its list) when closed, resumes from the newest id it has, and refetches the API on RESYNC.
 */
import { call } from './http.ts';

export interface ResumingClient {
  /** Ids in the merged list, each once. */
  ids(): Set<string>;
  /**
   * How many live NOTIFICATION frames carried an id the list already had (dropped, as the panel does). Frames of a
   * RESUME's catch-up are counted apart, in resent(): its overlap re-sends rows on purpose (docs/api.md, RESUME).
   */
  repeats(): number;
  /** Catch-up frames (between RESUME and RESUMED/RESYNC) with an id the list already had. */
  resent(): number;
  reconnects(): number;
  /** Milliseconds from each close to the next READY (the time this client was without a live socket). */
  gaps(): number[];
  /** True while a socket is open and has said READY (the client is subscribed). */
  ready(): boolean;
  stop(): void;
}

/** Starts a client for a user over several servers (base URLs), connecting to the first. */
export function startResumingClient(servers: string[], token: string): ResumingClient {
  const list = new Map<string, { created_at: string }>();
  let newest: { id: string; created_at: string } | undefined;
  let repeats = 0;
  let resent = 0;
  let catchingUp = false;
  let reconnects = 0;
  let stopped = false;
  let current: WebSocket | undefined;
  let serverIndex = 0;
  let ready = false;
  let closedAt: number | undefined;
  const gaps: number[] = [];

  const remember = (id: string, createdAt: string) => {
    if (list.has(id)) return void (catchingUp ? resent++ : repeats++);
    list.set(id, { created_at: createdAt });
    if (!newest || createdAt > newest.created_at || (createdAt === newest.created_at && BigInt(id) > BigInt(newest.id))) newest = { id, created_at: createdAt };
  };

  const refetch = async (base: string) => {
    let query = '?limit=100';
    for (let page = 0; page < 100; page++) {
      const response = await call(base, `/api/notifications${query}`, { token }).catch(() => undefined);
      if (!response || response.status !== 200) return;
      for (const item of (await response.json()) as { id: string; created_at: string }[]) if (!list.has(item.id)) remember(item.id, item.created_at);
      const next = response.headers.get('x-next-cursor');
      if (!next) return;
      query = `?limit=100&cursor=${encodeURIComponent(next)}`;
    }
  };

  const open = (delayMs: number) => {
    if (stopped) return;
    setTimeout(() => {
      if (stopped) return;
      const base = servers[serverIndex % servers.length]!;
      const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?token=${encodeURIComponent(token)}`);
      current = ws;
      let reconnectAfter = 100;
      ws.addEventListener('message', (event) => {
        const frame = JSON.parse(String(event.data)) as { type: string; payload?: any };
        if (frame.type === 'READY') {
          ready = true;
          if (closedAt !== undefined) gaps.push(performance.now() - closedAt);
          closedAt = undefined;
          if (newest) {
            catchingUp = true;
            ws.send(JSON.stringify({ type: 'RESUME', payload: { after: newest.id } }));
          } else void refetch(base);
        } else if (frame.type === 'NOTIFICATION') remember(frame.payload.id, frame.payload.created_at);
        else if (frame.type === 'RESUMED') catchingUp = false;
        else if (frame.type === 'RESYNC') {
          catchingUp = false;
          void refetch(base);
        }
        else if (frame.type === 'RECONNECT') reconnectAfter = frame.payload.after_ms;
      });
      ws.addEventListener('close', () => {
        ready = false;
        catchingUp = false;
        closedAt ??= performance.now();
        if (stopped) return;
        reconnects++;
        serverIndex++;
        open(reconnectAfter);
      });
    }, delayMs);
  };
  open(0);

  return {
    ids: () => new Set(list.keys()),
    repeats: () => repeats,
    resent: () => resent,
    reconnects: () => reconnects,
    gaps: () => [...gaps],
    ready: () => ready,
    stop() {
      stopped = true;
      current?.close();
    },
  };
}
