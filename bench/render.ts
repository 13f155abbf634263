/**
 * Re-renders a saved run (markdown, SVG charts, the README table) from its JSON, without measuring again:
 * `bun bench/render.ts bench/results/<time>.json`. Useful after a change to the report format.
 */

import { dirname, resolve } from "node:path";
import { textSummary, writeRun, type RunRecord } from "./report/write.ts";

const file = process.argv[2];
if (!file) {
  console.error("usage: bun bench/render.ts <results JSON>");
  process.exit(2);
}
const run = (await Bun.file(file).json()) as RunRecord;
for (const f of writeRun(run, dirname(resolve(file)), resolve(import.meta.dir, "README.md"))) console.log(`wrote ${f}`);
console.log(`\n${textSummary(run)}`);
