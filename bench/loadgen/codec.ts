/** Per-protocol framing: how to build the socket URL, spot "subscribed", and pull out a notification. */

import type { Protocol } from "../targets/types.ts";

export interface Decoded {
  kind: "ready" | "notification" | "ping" | "pong" | "other";
  message?: string;
}

/** The URL a user's socket opens. Socket.IO's token goes in its CONNECT packet, not the URL. */
export function socketUrl(protocol: Protocol, base: string, token: string): string {
  return protocol === "belfry" ? `${base}/ws?token=${token}` : `${base}/socket.io/?EIO=4&transport=websocket`;
}

/** Decodes one text frame; `reply` is what the client must answer (Engine.IO ping → pong, open → connect). */
export function decode(protocol: Protocol, frame: string, token: string): Decoded & { reply?: string } {
  if (protocol === "belfry") {
    // Cheap prefix checks first: this runs for every delivered message on a shared core.
    if (frame.startsWith('{"type":"NOTIFICATION"')) {
      const parsed = JSON.parse(frame) as { payload: { message: string } };
      return { kind: "notification", message: parsed.payload.message };
    }
    if (frame === '{"type":"PONG"}') return { kind: "pong" };
    const parsed = JSON.parse(frame) as { type: string; payload?: { message?: string } };
    if (parsed.type === "READY") return { kind: "ready" };
    if (parsed.type === "PONG") return { kind: "pong" };
    if (parsed.type === "NOTIFICATION") return { kind: "notification", message: parsed.payload?.message };
    return { kind: "other" };
  }
  // Engine.IO v4 packet types: 0 open, 2 ping, 4 message; Socket.IO inside: 0 connect, 2 event, 4 error.
  const t = frame.charCodeAt(0);
  if (t === 50 /* "2" */) return { kind: "ping", reply: "3" };
  if (t === 48 /* "0" */) return { kind: "other", reply: `40${JSON.stringify({ token })}` };
  if (frame.startsWith("42")) {
    const [event, data] = JSON.parse(frame.slice(2)) as [string, { message?: string }];
    if (event === "notification") return { kind: "notification", message: data.message };
    if (event === "ready") return { kind: "ready" };
  }
  if (frame.startsWith("44")) throw new Error(`socket.io connect_error: ${frame.slice(2, 120)}`);
  return { kind: "other" };
}
