// Plain aligned columns for list commands, as `gh` and `npm ls` print them.

/** @param {string[]} headers @param {string[][]} rows */
export function formatTable(headers, rows) {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/** Milliseconds since the epoch as `2026-12-03 06:09` (UTC), the same on every machine. */
export const formatTime = (ms) => `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
