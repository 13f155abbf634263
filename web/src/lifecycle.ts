/**
 * Ties the socket to the page's life: a network that comes back or a tab that becomes visible
 * (after laptop sleep or a long stay in the background) is checked at once instead of waiting
 * for the next backoff step or heartbeat. Resync then follows from the socket's READY frame.
 */
import type { ReconnectingSocket } from './socket.ts';

/** Listens to `online`, `visibilitychange` and `pageshow`; returns a function that stops listening. */
export function watchLifecycle(
  socket: Pick<ReconnectingSocket, 'reconnectNow' | 'check'>,
  win: Pick<Window, 'addEventListener' | 'removeEventListener'> = window,
  doc: Pick<Document, 'addEventListener' | 'removeEventListener' | 'visibilityState'> = document,
): () => void {
  const online = () => socket.reconnectNow();
  const visible = () => {
    if (doc.visibilityState === 'visible') socket.check();
  };
  const shown = (event: Event) => {
    // Restored from the back/forward cache: the old socket is gone.
    if ((event as PageTransitionEvent).persisted) socket.check();
  };
  win.addEventListener('online', online);
  win.addEventListener('pageshow', shown);
  doc.addEventListener('visibilitychange', visible);
  return () => {
    win.removeEventListener('online', online);
    win.removeEventListener('pageshow', shown);
    doc.removeEventListener('visibilitychange', visible);
  };
}
