/**
 * A WebSocket client on a raw TCP socket that can stop reading (pause) like a frozen tab, for slow-consumer tests.
 * Parses the server's unmasked frames; sends nothing after the handshake.
 */
import net from 'node:net';

export interface RawFrame {
  opcode: number;
  text?: string;
  closeCode?: number;
}

export interface RawSocket {
  pause(): void;
  resume(): void;
  /** Frames parsed so far (text and close). */
  frames: RawFrame[];
  /** Resolves when the TCP connection ends. */
  ended: Promise<void>;
  destroy(): void;
}

/** Opens /ws with a token over a raw socket; resolves after the 101 response. */
export function rawConnect(port: number, token: string): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    const frames: RawFrame[] = [];
    let endResolve!: () => void;
    const ended = new Promise<void>((r) => (endResolve = r));
    socket.on('close', () => endResolve());
    socket.on('error', (error) => (upgraded ? endResolve() : reject(error)));
    socket.on('connect', () => {
      socket.write(
        `GET /ws?token=${encodeURIComponent(token)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString();
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head.split('\r\n')[0]));
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve({ pause: () => socket.pause(), resume: () => socket.resume(), frames, ended, destroy: () => socket.destroy() });
      }
      for (;;) {
        if (buffer.length < 2) return;
        const opcode = buffer[0]! & 0x0f;
        let length = buffer[1]! & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) return;
          length = buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffer.length < 10) return;
          length = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffer.length < offset + length) return;
        const payload = buffer.subarray(offset, offset + length);
        buffer = buffer.subarray(offset + length);
        if (opcode === 1) frames.push({ opcode, text: payload.toString() });
        else if (opcode === 8) frames.push({ opcode, closeCode: payload.length >= 2 ? payload.readUInt16BE(0) : 1005 });
      }
    });
  });
}
