/**
 * haproxy for the deployment tests, started from deploy/haproxy.cfg itself: only the addresses and the lines that
 * need the production host (TLS certificate, syslog, user, admin socket) are replaced, so the health checks,
 * timeouts and balancing under test are the ones the docs ship.
 */
import type { Subprocess } from 'bun';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './services.ts';
import { collectOutput } from './process.ts';

/** The configuration file kept in the repository. */
export const haproxyTemplatePath = resolve(import.meta.dir, '..', '..', 'deploy', 'haproxy.cfg');

// maxconn goes too: haproxy then sizes it from the descriptor limit it has, which a test machine keeps low.
const hostOnly = /^\s*(log\s|user\s|group\s|chroot\s|stats socket\s|maxconn\s)/;

/** deploy/haproxy.cfg with the public frontend on `port`, the stats page on `statsPort` and these belfry ports. */
export function renderHaproxyConfig(template: string, { port, statsPort, servers }: { port: number; statsPort: number; servers: number[] }): string {
  let section = '';
  let serverIndex = 0;
  let bound = false;
  const lines: string[] = [];
  for (const line of template.split('\n')) {
    const header = /^(global|defaults|frontend|backend|listen)\b\s*(\S*)/.exec(line);
    if (header) {
      section = `${header[1]} ${header[2]}`.trim();
      bound = false;
    }
    if (section === 'global' && hostOnly.test(line)) continue;
    if (/^\s*bind\s/.test(line)) {
      // One plain-HTTP listener on loopback replaces the TLS and port-80 ones.
      if (!bound) lines.push(`    bind 127.0.0.1:${section === 'frontend stats' ? statsPort : port}`);
      bound = true;
      continue;
    }
    if (/^\s*http-request redirect scheme https/.test(line)) continue;
    const server = /^(\s*server\s+\S+\s+)\S+(.*)$/.exec(line);
    if (server) {
      const target = servers[serverIndex++];
      if (target === undefined) throw new Error(`${haproxyTemplatePath} lists more servers than the test started`);
      lines.push(`${server[1]}127.0.0.1:${target}${server[2]}`);
      continue;
    }
    lines.push(line);
  }
  if (serverIndex !== servers.length) throw new Error(`${haproxyTemplatePath} lists ${serverIndex} servers, the test started ${servers.length}`);
  return lines.join('\n');
}

export interface Haproxy {
  url: string;
  child: Subprocess;
  /** Server name → haproxy's status (UP, DOWN, "UP 1/2", …) in the belfry backend, from the stats page. */
  states(): Promise<Map<string, string>>;
  output(): string;
  stop(): Promise<void>;
}

/** Starts haproxy in the foreground in front of `servers` (belfry ports); resolves once its stats page answers. */
export async function startHaproxy(servers: number[], { timeoutMs = 10_000 } = {}): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'belfry-haproxy-'));
  const [port, statsPort] = [await freePort(), await freePort()];
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, renderHaproxyConfig(readFileSync(haproxyTemplatePath, 'utf8'), { port, statsPort, servers }));
  const binary = Bun.which('haproxy');
  if (!binary) throw new Error('haproxy is not on PATH: install it (Debian: apt-get install -y haproxy)');
  // -db: stay in the foreground whatever `daemon` says, so the test owns the process.
  const child = Bun.spawn([binary, '-db', '-f', file], { stdout: 'pipe', stderr: 'pipe' });
  const output = collectOutput(child);
  const statsUrl = `http://127.0.0.1:${statsPort}/stats;csv`;
  const states = async () => {
    const csv = await (await fetch(statsUrl)).text();
    const [header, ...rows] = csv.trim().split('\n');
    const columns = header!.replace(/^# /, '').split(',');
    const [px, sv, status] = ['pxname', 'svname', 'status'].map((name) => columns.indexOf(name)) as [number, number, number];
    const result = new Map<string, string>();
    for (const row of rows) {
      const cells = row.split(',');
      if (cells[px] === 'belfry' && !['FRONTEND', 'BACKEND'].includes(cells[sv]!)) result.set(cells[sv]!, cells[status]!);
    }
    return result;
  };
  const stop = async () => {
    child.kill('SIGTERM');
    await child.exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await states().then(() => true, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`haproxy did not start: ${output.text}`);
    }
    await Bun.sleep(50);
  }
  return { url: `http://127.0.0.1:${port}`, child, states, output: () => output.text, stop };
}
