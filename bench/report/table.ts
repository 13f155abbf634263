/** Result rows as plain tables: the stdout summary and the markdown report share them. */

import { fmtMs } from "../lib/stats.ts";
import type { FanoutRound, ScenarioResult } from "../scenarios/types.ts";

export type Table = { head: string[]; rows: string[][] };

const kib = (v?: number) => (v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(2));
const int = (v?: number) => (v === undefined || !Number.isFinite(v) ? "–" : Math.round(v).toLocaleString("en-US"));
const status = (r: ScenarioResult) => (r.ok ? "ok" : "FAILED");

/** Delivery scenarios (sustained, burst, seed): one row per run. */
export function deliveryTable(results: ScenarioResult[]): Table {
  return {
    head: ["scenario", "target", "delivered", "p50 ms", "p95 ms", "p99 ms", "max ms", "ack p95 ms", "deliveries/s", "connect p95 ms", "conn errors", "server CPU", "db commits", "db CPU s", "RSS after MiB", "load avg", "status"],
    rows: results.filter((r) => r.delivery).map((r) => {
      const d = r.delivery!;
      return [
        r.scenario, r.target, `${d.delivered.toLocaleString("en-US")}/${d.expected.toLocaleString("en-US")}`,
        fmtMs(d.latency.p50), fmtMs(d.latency.p95), fmtMs(d.latency.p99), fmtMs(d.latency.max), fmtMs(r.ack?.p95 ?? Number.NaN), int(d.throughputPerSec),
        fmtMs(r.connect?.ms.p95 ?? Number.NaN), String(r.connect?.errors ?? "–"),
        r.server ? `${r.server.cpuCores.toFixed(2)} cores` : "–", int(r.server?.postgres?.commits), r.server?.postgres ? r.server.postgres.backendCpuSeconds.toFixed(1) : "–",
        r.server ? (r.server.after.rssKiB / 1024).toFixed(0) : "–",
        r.loadAvg ? `${r.loadAvg.before.toFixed(1)}→${r.loadAvg.after.toFixed(1)}` : "–", status(r),
      ];
    }),
  };
}

/** Density ladders: one row per step. */
export function densityTable(results: ScenarioResult[]): Table {
  return {
    head: ["scenario", "target", "processes", "sockets", "held", "RSS MiB", "KiB/socket", "connects/s", "connect p95 ms", "errors"],
    rows: results.flatMap((r) => (r.steps ?? []).map((s) => [
      r.scenario, r.target, String(s.processes), int(s.connections), int(s.held), (s.rssKiB / 1024).toFixed(0),
      kib(s.rssPerConnectionKiB), int(s.connectRatePerSec), fmtMs(s.connectP95Ms), String(s.errors),
    ])),
  };
}

/** Ingest throughput: one row per mode and target; CPU and database figures are of that mode alone. */
export function ingestTable(results: ScenarioResult[]): Table {
  return {
    head: ["target", "mode", "clients", "events/request", "committed/s", "ack p95 ms", "requests", "failed", "server CPU", "db commits", "db CPU s", "db CPU µs/row", "load avg"],
    rows: results.flatMap((r) => (r.ingest ?? []).map((i) => {
      // Older results sampled both modes together; say so rather than show a figure as one mode's.
      const both = i.postgres === undefined && r.server?.postgres !== undefined ? " (both modes)" : "";
      const pg = i.postgres ?? r.server?.postgres;
      const cores = i.serverCpuCores ?? r.server?.cpuCores;
      return [
        r.target, i.mode, String(i.concurrency), String(i.batchSize), int(i.perSec), fmtMs(i.ackP95Ms), int(i.requests), String(i.failed),
        cores === undefined ? "–" : `${cores.toFixed(2)} cores${both}`, pg ? `${int(pg.commits)}${both}` : "–", pg ? `${pg.backendCpuSeconds.toFixed(1)}${both}` : "–",
        i.dbUsPerRow === undefined ? "–" : i.dbUsPerRow.toFixed(1),
        r.loadAvg ? `${r.loadAvg.before.toFixed(1)}→${r.loadAvg.after.toFixed(1)}` : "–",
      ];
    })),
  };
}

const median = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] as number) : Number.NaN;
};

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

/**
 * Fanout: one row per target and way of sending, medians over the measured rounds. CPU is counted in 10 ms ticks,
 * so the mean over rounds is shown beside the median. Commits are as counted, next to what the idle background
 * (outbox relay polls, the harness's readings) adds to a window that long.
 */
export function fanoutTable(results: ScenarioResult[]): Table {
  const rows: string[][] = [];
  for (const r of results.filter((x) => x.fanout?.length)) {
    for (const mode of ["user_ids", "singles", "batch"] as const) {
      const rs = (r.fanout ?? []).filter((f) => f.mode === mode);
      if (!rs.length) continue;
      const m = (f: (x: FanoutRound) => number) => median(rs.map(f));
      const delivered = rs.reduce((n, x) => n + x.delivered, 0), expected = rs.reduce((n, x) => n + x.expected, 0);
      const loads = rs.map((x) => x.loadAvg);
      rows.push([
        r.target, mode, String(rs.length), int(m((x) => x.requests)), `${delivered.toLocaleString("en-US")}/${expected.toLocaleString("en-US")}`,
        fmtMs(m((x) => x.ackAllMs)), fmtMs(m((x) => x.latency.p50)), fmtMs(m((x) => x.latency.p95)), fmtMs(m((x) => x.latency.max)),
        `${int(m((x) => x.serverCpuMs))} / ${int(mean(rs.map((x) => x.serverCpuMs)))}`,
        `${int(m((x) => x.pgCommitsRaw))} (idle ${int(m((x) => x.pgCommitsRaw - x.pgCommits))})`,
        `${int(m((x) => x.pgCpuMs))} / ${int(mean(rs.map((x) => x.pgCpuMs)))}`,
        `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`, status(r),
      ]);
    }
  }
  return {
    head: ["target", "sent as", "rounds", "requests", "delivered", "all 201 ms", "p50 ms", "p95 ms", "all delivered ms", "server CPU ms (median / mean)", "db commits (idle in the window)", "db CPU ms (median / mean)", "load avg", "status"],
    rows,
  };
}

/** Renders a table as aligned plain text. */
export function renderText(t: Table): string {
  const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  return [line(t.head), widths.map((w) => "-".repeat(w)).join("  "), ...t.rows.map(line)].join("\n");
}

/** Renders a table as GitHub markdown. */
export function renderMarkdown(t: Table): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  return [`| ${t.head.map(esc).join(" | ")} |`, `|${t.head.map(() => "---").join("|")}|`, ...t.rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n");
}
