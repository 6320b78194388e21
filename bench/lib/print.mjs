// Plain-text tables and number formats shared by every bench and the summary.

export const fmt = {
  rps: (v) => `${Math.round(v).toLocaleString("en-US")} req/s`,
  ms: (v) => `${v.toFixed(v < 10 ? 2 : 1)} ms`,
  ratio: (v) => v.toFixed(2),
};

/** @param {string[]} header @param {string[][]} rows */
export function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? "").length)));
  const line = (cells) =>
    cells
      .map((c, i) => String(c ?? "").padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** "0.62 (goal ≥ 0.50: met)" */
export function ratioAgainstGoal(ratio, goalMin) {
  return `${fmt.ratio(ratio)} (goal ≥ ${fmt.ratio(goalMin)}: ${ratio >= goalMin ? "met" : "NOT met"})`;
}

/** One line per autocannon run: label, req/s, p50, p99. */
export function throughputRow(label, run) {
  return [label, fmt.rps(run.requestsPerSec), fmt.ms(run.p50Ms), fmt.ms(run.p99Ms)];
}
export const THROUGHPUT_HEADER = ["", "throughput", "p50", "p99"];
