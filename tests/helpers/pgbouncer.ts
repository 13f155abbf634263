/**
 * pgbouncer for the deployment tests, started from deploy/pgbouncer.ini itself: only the addresses, the files and
 * the database line are replaced, so the pool mode and the startup parameters under test are the ones the docs ship.
 */
import type { Subprocess } from 'bun';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './services.ts';
import { postgresAnswers } from './probes.ts';
import { collectOutput } from './process.ts';

/** The configuration file kept in the repository. */
export const pgbouncerTemplatePath = resolve(import.meta.dir, '..', '..', 'deploy', 'pgbouncer.ini');

const replaced: Record<string, (dir: string, port: number) => string> = {
  listen_addr: () => '127.0.0.1',
  listen_port: (_, port) => String(port),
  unix_socket_dir: () => '',
  logfile: () => '',
  pidfile: () => '',
  auth_file: (dir) => join(dir, 'userlist.txt'),
};

/**
 * deploy/pgbouncer.ini pointed at `postgresUrl`'s server: every database name is passed through (a fallback `*`
 * entry), so each test's own database is reachable; `edit` changes the result further.
 */
export function renderPgbouncerConfig(template: string, { dir, port, postgresUrl }: { dir: string; port: number; postgresUrl: string }): string {
  const target = new URL(postgresUrl);
  let section = '';
  const lines: string[] = [];
  for (const line of template.split('\n')) {
    const header = /^\[(\w+)\]/.exec(line);
    if (header) {
      section = header[1]!;
      lines.push(line);
      if (section === 'databases') lines.push(`* = host=${target.hostname} port=${target.port || 5432}`);
      continue;
    }
    if (section === 'databases' && /^\s*[^;\s]/.test(line)) continue;
    const setting = /^\s*(\w+)\s*=/.exec(line);
    const replace = setting && replaced[setting[1]!];
    lines.push(replace ? `${setting[1]} = ${replace(dir, port)}` : line);
  }
  return lines.join('\n');
}

export interface Pgbouncer {
  /** The URL of database `name` through the pool. */
  url(name: string): string;
  child: Subprocess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts pgbouncer in front of the Postgres of `postgresUrl`, as `nobody` when run as root (it refuses root). */
export async function startPgbouncer(postgresUrl: string, { edit = (ini: string) => ini, timeoutMs = 10_000 } = {}): Promise<Pgbouncer> {
  const dir = mkdtempSync(join(tmpdir(), 'belfry-pgbouncer-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const target = new URL(postgresUrl);
  const user = decodeURIComponent(target.username || 'postgres');
  // A plain password in the auth file lets pgbouncer check the client's SCRAM answer and log in to Postgres with it.
  const password = decodeURIComponent(target.password) || `pool-${crypto.randomUUID()}`;
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(ini, edit(renderPgbouncerConfig(readFileSync(pgbouncerTemplatePath, 'utf8'), { dir, port, postgresUrl })));
  writeFileSync(join(dir, 'userlist.txt'), `"${user}" "${password}"\n`);
  for (const file of ['pgbouncer.ini', 'userlist.txt']) chmodSync(join(dir, file), 0o644);
  const binary = Bun.which('pgbouncer');
  if (!binary) throw new Error('pgbouncer is not on PATH: install it (Debian: apt-get install -y pgbouncer)');
  const asUser = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
  const child = Bun.spawn([binary, ...asUser, ini], { stdout: 'pipe', stderr: 'pipe' });
  const output = collectOutput(child);
  const url = (name: string) => `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${name}`;
  const stop = async () => {
    child.kill('SIGTERM');
    await child.exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  const database = target.pathname.slice(1) || 'postgres';
  while (!(await postgresAnswers(url(database), 1))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`pgbouncer did not start: ${output.text}`);
    }
    await Bun.sleep(50);
  }
  return { url, child, output: () => output.text, stop };
}
