/**
 * Runs belfry from a snapshot of a commit rather than the working tree: a result names a commit, and code
 * edited while a 15-minute run is in progress must not leak into it.
 */

import { existsSync, mkdirSync, symlinkSync } from "node:fs";

/** Extracts src/, sql/ and package.json of HEAD into a temp directory (once per commit); returns its main.ts. */
export async function snapshotHead(root: string): Promise<{ main: string; commit: string }> {
  const head = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd: root });
  const commit = head.stdout.toString().trim();
  if (head.exitCode !== 0 || !commit) throw new Error("git rev-parse HEAD failed; use --live to run the working tree");
  const dir = `/tmp/belfry-bench-snapshot-${commit.slice(0, 12)}`;
  if (!existsSync(`${dir}/src/main.ts`)) {
    mkdirSync(dir, { recursive: true });
    const tar = Bun.spawnSync(["sh", "-c", `git archive ${commit} src sql package.json | tar -x -C ${dir}`], { cwd: root });
    if (tar.exitCode !== 0) throw new Error(`git archive failed: ${tar.stderr.toString()}`);
    // Dependencies come from the working tree: the lockfile pins them, and copying node_modules would take minutes.
    if (!existsSync(`${dir}/node_modules`)) symlinkSync(`${root}/node_modules`, `${dir}/node_modules`);
  }
  return { main: `${dir}/src/main.ts`, commit };
}
