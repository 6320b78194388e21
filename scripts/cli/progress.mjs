// A progress line for a transfer: redrawn in place (`\r`) on a terminal, nothing elsewhere (logs
// and CI keep only the final line the command prints itself).

/** `1536` → `1.5 KiB`. */
export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * @param {string} label e.g. "Uploading"
 * @param {NodeJS.WriteStream} [stream]
 * @returns {{ update: (done: number, total: number) => void, end: () => void }}
 */
export function progressLine(label, stream = process.stdout) {
  if (!stream.isTTY) return { update: () => {}, end: () => {} };
  let shown = "";
  let drawn = false;
  return {
    update(done, total) {
      const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
      const line = `${label} ${formatBytes(done)} of ${formatBytes(total)} (${percent} %)`;
      // Redraw only when the text changes: tus-js-client reports many times a second.
      if (line === shown) return;
      shown = line;
      drawn = true;
      stream.write(`\r\x1b[K${line}`);
    },
    end() {
      // Clears the line, so the command's own final line takes its place.
      if (drawn) stream.write("\r\x1b[K");
      drawn = false;
      shown = "";
    },
  };
}
