/**
 * A hand-written SVG chart of a scenario's latency distribution: latency (log scale) against percentile,
 * with the tail stretched (x = −log10(1 − p)) so p99 and p99.9 are readable, one line per target.
 */

import type { ScenarioResult } from "../scenarios/types.ts";

const COLORS: Record<string, string> = { belfry: "#2563eb", peer: "#dc2626", ceiling: "#16a34a" };
const W = 660, H = 360, L = 84, R = 150, T = 40, B = 48;

const px = (p: number) => -Math.log10(1 - Math.min(p, 99.9) / 100); // 0 … 3
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** Draws every delivery result of one scenario into one SVG document. */
export function latencyChart(title: string, results: ScenarioResult[]): string {
  const lines = results.filter((r) => r.delivery && r.delivery.latency.count > 0);
  const values = lines.flatMap((r) => r.delivery!.curve.map(([, v]) => v)).filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(0.01, Math.min(...values, 1)))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 1))));
  const x = (p: number) => L + (px(p) / 3) * (W - L - R);
  const y = (v: number) => T + (1 - (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (H - T - B);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${L}" y="22" font-size="14" font-weight="600">${esc(title)}</text>`,
  ];
  for (let d = lo; d <= hi * 1.001; d *= 10) {
    out.push(`<line x1="${L}" x2="${W - R}" y1="${y(d).toFixed(1)}" y2="${y(d).toFixed(1)}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${L - 6}" y="${(y(d) + 4).toFixed(1)}" text-anchor="end">${d >= 1 ? d.toLocaleString("en-US") : d} ms</text>`);
  }
  for (const p of [0, 50, 90, 99, 99.9]) {
    out.push(`<line x1="${x(p).toFixed(1)}" x2="${x(p).toFixed(1)}" y1="${T}" y2="${H - B}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${x(p).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">p${p}</text>`);
  }
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">percentile of deliveries (tail stretched)</text>`);
  lines.forEach((r, i) => {
    const color = COLORS[r.target] ?? "#555";
    const pts = r.delivery!.curve.filter(([p, v]) => p <= 99.9 && Number.isFinite(v)).map(([p, v]) => `${x(p).toFixed(1)},${y(v).toFixed(1)}`);
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(" ")}"/>`);
    const ly = T + 14 + i * 36;
    out.push(`<line x1="${W - R + 12}" x2="${W - R + 32}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="3"/>`);
    out.push(`<text x="${W - R + 38}" y="${ly}">${esc(r.target)}</text>`);
    out.push(`<text x="${W - R + 38}" y="${ly + 14}" fill="#555">p95 ${r.delivery!.latency.p95.toFixed(1)} ms</text>`);
  });
  out.push("</svg>");
  return out.join("\n");
}
