/** Free TCP ports and the loopback addresses clients spread over. */

import { createServer } from "node:net";

/** Asks the kernel for a free port on all interfaces. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "0.0.0.0", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Destination addresses 127.0.0.1 … 127.0.0.n. One (source, destination) address pair has only
 * ~28k ephemeral ports, so big runs spread connections across destinations of a server bound to 0.0.0.0.
 */
export function loopbackAddresses(n: number, offset = 0): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${1 + ((i + offset) % 250)}`);
}
