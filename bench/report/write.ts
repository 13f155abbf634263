/** Writes a run to disk: JSON (everything), a markdown report, one SVG per delivery scenario, the README table. */

import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { MachineInfo } from "../lib/machine.ts";
import type { ScenarioResult } from "../scenarios/types.ts";
import { goals, ratios, type Goal, type Ratios } from "./goals.ts";
import { latencyChart } from "./svg.ts";
import { deliveryTable, densityTable, fanoutTable, ingestTable, renderMarkdown, renderText } from "./table.ts";

export interface RunRecord {
  startedAt: string;
  finishedAt: string;
  command: string;
  quick: boolean;
  /** Every scenario against every target: only such runs replace the README's table. */
  complete: boolean;
  machine: MachineInfo;
  params: Record<string, unknown>;
  postgresBaselineRowsPerSec?: number;
  results: ScenarioResult[];
  ratios: Ratios;
  goals: Goal[];
}

/** Which belfry code ran: a snapshot of a commit (HEAD moving meanwhile is harmless), or the working tree. */
function codeLine(run: RunRecord): string {
  const m = run.machine;
  const snapshot = typeof run.params.belfry === "string" && run.params.belfry.startsWith("snapshot");
  if (snapshot) return `belfry ran from a ${run.params.belfry} (commit \`${m.git.commit.slice(0, 12)}\`)`;
  const other = typeof run.params.belfry === "string" && run.params.belfry.startsWith("BENCH_BELFRY_MAIN=");
  if (other) return `belfry ran from another checkout, \`${run.params.belfry}\` (the harness at commit \`${m.git.commit.slice(0, 12)}\`)`;
  const moved = m.git.commitAtEnd && m.git.commitAtEnd !== m.git.commit ? ` → \`${m.git.commitAtEnd.slice(0, 12)}\` (**the code changed during the run**)` : "";
  return `belfry ran from the working tree at commit \`${m.git.commit.slice(0, 12)}\`${m.git.dirty ? " (uncommitted changes)" : ""}${moved}`;
}

const fx = (v?: number) => (v === undefined ? "–" : `${v.toFixed(2)}`);

/** The stdout summary. */
export function textSummary(run: RunRecord): string {
  const parts: string[] = [];
  const d = deliveryTable(run.results), n = densityTable(run.results), g = ingestTable(run.results), f = fanoutTable(run.results);
  if (d.rows.length) parts.push(renderText(d));
  if (n.rows.length) parts.push(renderText(n));
  if (g.rows.length) parts.push(renderText(g));
  if (f.rows.length) parts.push(renderText(f));
  parts.push(renderText({ head: ["target", "measured", "status"], rows: run.goals.map((x) => [x.goal, x.measured, x.status]) }));
  const failed = run.results.filter((r) => !r.ok);
  for (const r of failed) parts.push(`FAILED ${r.scenario}/${r.target}: ${r.failures.join("; ")}`);
  return parts.join("\n\n");
}

/** The results section shared by the per-run report and the README. */
export function resultsMarkdown(run: RunRecord): string {
  const m = run.machine;
  const r = run.ratios;
  const out = [
    `Measured ${run.finishedAt.slice(0, 16).replace("T", " ")} UTC with \`${run.command}\`${run.quick ? " (**quick preset: not comparable to the targets**)" : ""}.`,
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Linux ${m.kernel}, open files ${m.fdLimit}, ephemeral ports ${m.ephemeralPorts}; load generators on the same machine.`,
    `Versions: Bun ${m.versions.bun}, Node ${m.versions.node}, Postgres ${m.versions.postgres}, Redis ${m.versions.redis}; ${codeLine(run)}.`,
    "",
    "### Targets",
    "",
    renderMarkdown({ head: ["target", "measured", "status"], rows: run.goals.map((g) => [g.goal, g.measured, g.status === "met" ? "✅ met" : g.status === "missed" ? "❌ missed" : "– not run"]) }),
    "",
    "### belfry against the peer and the ceiling",
    "",
    renderMarkdown({
      head: ["ratio", "value", "reading"],
      rows: [
        ["burst p95, belfry ÷ Socket.IO", fx(r.burstP95), "below 1: belfry faster"],
        ["burst p99, belfry ÷ Socket.IO", fx(r.burstP99), "below 1: belfry faster"],
        ["sustained p95, belfry ÷ Socket.IO", fx(r.sustainedP95), "below 1: belfry faster"],
        ["sustained p99, belfry ÷ Socket.IO", fx(r.sustainedP99), "below 1: belfry faster"],
        ["memory per idle connection, belfry ÷ Socket.IO", fx(r.memoryPerConnection), "below 1: belfry smaller"],
        ["max connections held by one process, belfry ÷ Socket.IO", fx(r.maxConnectionsHeld), "1: both held every step"],
        ["burst delivery throughput, belfry ÷ bare Bun", fx(r.ceilingThroughput), "1: at the ceiling"],
      ],
    }),
  ];
  const sections: Array<[string, ReturnType<typeof deliveryTable>]> = [
    ["Delivery (sustained, burst, seed)", deliveryTable(run.results)],
    ["Density", densityTable(run.results)],
    ["Ingest (no sockets)", ingestTable(run.results)],
    ["Fanout: one announcement to every connected user (medians per round)", fanoutTable(run.results)],
  ];
  for (const [title, t] of sections) if (t.rows.length) out.push("", `### ${title}`, "", renderMarkdown(t));
  if (run.postgresBaselineRowsPerSec) out.push("", `Postgres alone, 4 clients × 1000-row unnest inserts: ${Math.round(run.postgresBaselineRowsPerSec).toLocaleString("en-US")} rows/s.`);
  return out.join("\n");
}

function fullReport(run: RunRecord, charts: string[]): string {
  const out = [`# belfry benchmark run ${run.startedAt}`, "", resultsMarkdown(run)];
  if (charts.length) out.push("", "### Latency distributions", "", ...charts.map((c) => `![${c}](${c})`));
  const notes = run.results.filter((r) => r.notes.length || r.failures.length);
  if (notes.length) {
    out.push("", "### Notes and failures", "");
    for (const r of notes) for (const n of [...r.failures.map((f) => `**FAILED** ${f}`), ...r.notes]) out.push(`- ${r.scenario}/${r.target}: ${n}`);
  }
  out.push("", "### Parameters", "", "```json", JSON.stringify({ ...run.params, perScenario: run.results.map((r) => ({ scenario: r.scenario, target: r.target, ...r.params })) }, null, 2), "```");
  return out.join("\n");
}

/** Writes the JSON, markdown and SVG files; for full (not quick) runs also refreshes the README's table. */
export function writeRun(run: RunRecord, outDir: string, readmePath: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const stamp = run.startedAt.replace(/[:.]/g, "-").slice(0, 19);
  run.goals = goals(run.results);
  run.ratios = ratios(run.results);
  const base = `${stamp}${run.quick ? "-quick" : ""}`;
  const written: string[] = [];
  const charts: string[] = [];
  for (const scenario of ["sustained", "burst", "seed"]) {
    const rs = run.results.filter((r) => r.scenario === scenario && r.delivery);
    if (!rs.length) continue;
    const file = `${base}-${scenario}.svg`;
    writeFileSync(join(outDir, file), latencyChart(`${scenario}: delivery latency (send → client)`, rs));
    charts.push(file);
    written.push(join(outDir, file));
  }
  writeFileSync(join(outDir, `${base}.json`), JSON.stringify(run, null, 2));
  writeFileSync(join(outDir, `${base}.md`), fullReport(run, charts));
  written.push(join(outDir, `${base}.json`), join(outDir, `${base}.md`));
  if (!run.quick && run.complete && existsSync(readmePath)) {
    const readme = readFileSync(readmePath, "utf8");
    const start = "<!-- results:start -->", end = "<!-- results:end -->";
    const i = readme.indexOf(start), j = readme.indexOf(end);
    if (i >= 0 && j > i) {
      const body = `${resultsMarkdown(run)}\n\nFull report: [results/${base}.md](results/${base}.md).${charts.map((c) => `\n\n![${c}](results/${c})`).join("")}`;
      writeFileSync(readmePath, `${readme.slice(0, i + start.length)}\n${body}\n${readme.slice(j)}`);
      written.push(readmePath);
    }
  }
  return written;
}
