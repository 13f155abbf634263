/**
 * Files carried inside the single executable: the built panel, the migrations and the Postgres programs.
 * scripts/build.ts generates the executable's entry, which registers them before anything else runs; from a clone
 * nothing is registered and every reader falls back to the files on disk.
 */

export interface EmbeddedAssets {
  /** The built panel: URL path (`/index.html`, `/assets/…`) → path of the embedded file. */
  web: Map<string, string>;
  /** Migrations: file name (`00001_notifications.sql`) → path of the embedded file. */
  sql: Map<string, string>;
  /** A tar.gz of the Postgres programs (bin/, lib/, share/) and the package version they come from. */
  postgres: { tarball: string; version: string } | undefined;
}

let registered: EmbeddedAssets | undefined;

/** Called once by the executable's generated entry. */
export function registerEmbeddedAssets(assets: EmbeddedAssets): void {
  registered = assets;
}

/** The embedded files, or undefined when running from a clone. */
export function embeddedAssets(): EmbeddedAssets | undefined {
  return registered;
}
