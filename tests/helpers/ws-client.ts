/**
 * A test WebSocket client: every frame is queued, and `next` waits for the first one matching a predicate.
 */
export interface Frame {
  type: string;
  payload?: any;
}

export interface TestSocket {
  ws: WebSocket;
  frames: Frame[];
  /** Resolves with the next unseen frame matching `match` (default: any), or rejects after `timeoutMs`. */
  next(match?: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Frames of a type received so far. */
  all(type: string): Frame[];
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Opens a socket and resolves once the server said READY (the socket is subscribed). */
export async function connect(wsUrl: string, token: string): Promise<TestSocket> {
  const ws = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
  const frames: Frame[] = [];
  let consumed = 0;
  const waiters = new Set<() => void>();
  ws.addEventListener('message', (event) => {
    frames.push(JSON.parse(String(event.data)));
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason })),
  );
  const socket: TestSocket = {
    ws,
    frames,
    closed,
    all: (type) => frames.filter((frame) => frame.type === type),
    next(match = () => true, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (let index = consumed; index < frames.length; index++) {
            if (match(frames[index]!)) {
              consumed = index + 1;
              waiters.delete(check);
              clearTimeout(timer);
              resolve(frames[index]!);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames.slice(consumed))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => ws.close(),
  };
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error('socket failed to open')), { once: true });
  });
  await socket.next((frame) => frame.type === 'READY');
  return socket;
}

/** Collects frames of one type for `ms` milliseconds (to assert that nothing arrives). */
export async function quietFor(socket: TestSocket, ms: number): Promise<Frame[]> {
  const before = socket.frames.length;
  await Bun.sleep(ms);
  return socket.frames.slice(before);
}
