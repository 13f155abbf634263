/**
 * The panel served at `/`. From a clone, web/dist is git-ignored, so `belfry start` builds it (vite, about a second)
 * when it is missing or older than its sources, and says so; the single executable serves the copy built into it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { embeddedWebRoot } from '../routes/static.ts';
import { embeddedAssets } from '../embedded-assets.ts';
import type { Logger } from '../log.ts';

/** Newest modification time of the files under `path` (0 when there are none). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Why web/dist must be (re)built, or undefined when it is up to date. */
export function panelStaleness(webDir: string): string | undefined {
  const built = join(webDir, 'dist', 'index.html');
  if (!existsSync(built)) return 'web/dist is missing';
  const sources = Math.max(...['src', 'public', 'index.html', 'vite.config.ts'].map((name) => newest(join(webDir, name))));
  return sources > statSync(built).mtimeMs ? 'web/src changed since web/dist was built' : undefined;
}

/** Builds web/dist with vite; rejects with vite's last words when it fails. */
async function build(sourceRoot: string) {
  const vite = join(sourceRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) throw new Error('vite is not installed (bun install without --production installs it)');
  const child = Bun.spawn([process.execPath, vite, 'build', 'web', '--logLevel', 'error'], { cwd: sourceRoot, stdout: 'pipe', stderr: 'pipe' });
  const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  if (code !== 0) throw new Error((stderr || stdout).trim().split('\n').filter(Boolean).at(-1) ?? `vite exited with ${code}`);
}

/**
 * The staticDir to serve: STATIC_DIR as configured; in the executable, its embedded panel; from a clone, web/dist,
 * built first when needed.
 */
export async function preparePanel(options: { staticDir: string | undefined; baseDir: string; sourceRoot: string | undefined; log: Logger }): Promise<string> {
  const { staticDir, baseDir, sourceRoot, log } = options;
  if (staticDir) return resolve(baseDir, staticDir);
  if (embeddedAssets()) return embeddedWebRoot;
  const root = sourceRoot ?? baseDir;
  const reason = panelStaleness(join(root, 'web'));
  if (reason) {
    log.info({ reason }, 'building the panel (web/dist)');
    const started = performance.now();
    await build(root);
    log.info({ ms: Math.round(performance.now() - started) }, 'panel built');
  }
  return join(root, 'web', 'dist');
}
