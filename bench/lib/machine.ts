/** What every result records about where it was measured: machine, versions and git commit. */

import { cpus, totalmem } from "node:os";

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  versions: { bun: string; node: string; postgres: string; redis: string };
  git: { commit: string; dirty: boolean; commitAtEnd?: string };
  fdLimit: string;
  ephemeralPorts: string;
}

async function run(cmd: string[]): Promise<string> {
  try {
    const p = Bun.spawn(cmd, { stdout: "pipe", stderr: "ignore" });
    const out = await new Response(p.stdout).text();
    await p.exited;
    return out.trim();
  } catch {
    return "unknown";
  }
}

/** HEAD now: the server code may change under a long run, and a result must say so. */
export async function gitHead(): Promise<string> {
  return run(["git", "rev-parse", "HEAD"]);
}

/** Collects machine facts and versions; the database and Redis are asked directly, not their CLIs. */
export async function machineInfo(pgVersion: string, redisVersion: string): Promise<MachineInfo> {
  const c = cpus();
  const status = await run(["git", "status", "--porcelain", "--", "bench", "src", "sql"]);
  return {
    cpuModel: c[0]?.model ?? "unknown",
    cores: c.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: await run(["uname", "-r"]),
    versions: {
      bun: Bun.version,
      node: await run(["node", "--version"]),
      postgres: pgVersion,
      redis: redisVersion,
    },
    git: { commit: await run(["git", "rev-parse", "HEAD"]), dirty: status.length > 0 },
    fdLimit: await run(["sh", "-c", "ulimit -n"]),
    ephemeralPorts: (await Bun.file("/proc/sys/net/ipv4/ip_local_port_range").text()).trim().replace(/\s+/, "–"),
  };
}
