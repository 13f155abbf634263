/** Starting and stopping server processes: spawn, wait for /readyz, SIGTERM then SIGKILL. */

import { mkdirSync } from "node:fs";
import { sleep, now } from "../lib/clock.ts";

export interface Spawned {
  pid: number;
  logPath: string;
  /** The exit code if the process ended on its own (a crash under load), else null. */
  exitedEarly(): number | null;
  stop(): Promise<void>;
}

const LOG_DIR = "/tmp/belfry-bench-logs";

/** Spawns `cmd` with `env`, logging to a file, and resolves once `readyUrl` answers 200. */
export async function spawnServer(name: string, cmd: string[], env: Record<string, string>, readyUrl: string, timeoutMs = 30_000): Promise<Spawned> {
  mkdirSync(LOG_DIR, { recursive: true });
  const logPath = `${LOG_DIR}/${name}-${Date.now()}.log`;
  const proc = Bun.spawn(cmd, {
    env: { ...process.env, ...env },
    stdout: Bun.file(logPath),
    stderr: "inherit",
    stdin: "ignore",
  });
  let stopping = false;
  const stop = async (): Promise<void> => {
    stopping = true;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill("SIGTERM");
    const done = await Promise.race([proc.exited.then(() => true), sleep(8000).then(() => false)]);
    if (!done) {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  };
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode} before ready; log: ${logPath}`);
    try {
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return { pid: proc.pid, logPath, stop, exitedEarly: () => (stopping ? null : proc.exitCode) };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`${name} not ready within ${timeoutMs} ms; log: ${logPath}`);
}
