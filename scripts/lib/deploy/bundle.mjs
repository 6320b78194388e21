// The size report of `wrangler deploy --dry-run --outdir`: the Worker's modules (source maps and
// wrangler's README excluded), raw and gzipped, against the Workers limits on the compressed size.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const MIB = 1024 * 1024;
/** Workers' limits on a Worker's compressed size: Free plan, and Paid (the hard stop here). */
export const WORKER_SIZE_LIMITS = { free: 3 * MIB, paid: 10 * MIB };

/** @param {string} dir */
function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/**
 * @param {string} outdir
 * @returns {{ modules: { path: string, bytes: number, gzip: number }[], bytes: number, gzip: number, verdict: "ok" | "paid-only" | "too-big" }}
 */
export function bundleReport(outdir) {
  const modules = files(outdir)
    .filter((path) => !path.endsWith(".map") && !/(^|\/)README\.md$/.test(path))
    .map((path) => {
      const content = readFileSync(path);
      return { path: relative(outdir, path), bytes: content.length, gzip: gzipSync(content, { level: 9 }).length };
    });
  const bytes = modules.reduce((sum, m) => sum + m.bytes, 0);
  const gzip = modules.reduce((sum, m) => sum + m.gzip, 0);
  const verdict = gzip > WORKER_SIZE_LIMITS.paid ? "too-big" : gzip > WORKER_SIZE_LIMITS.free ? "paid-only" : "ok";
  return { modules, bytes, gzip, verdict };
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/** @param {ReturnType<typeof bundleReport>} report @param {string} [worker] which Worker, e.g. "plaza-api (placed)" */
export function formatBundleReport(report, worker) {
  const lines = report.modules.map((m) => `    ${m.path}: ${kib(m.bytes)}, gzip ${kib(m.gzip)}`);
  const limits = `limits: ${kib(WORKER_SIZE_LIMITS.free)} Free, ${kib(WORKER_SIZE_LIMITS.paid)} Paid`;
  const verdict = {
    ok: "fits the Free and Paid plans",
    "paid-only": "above the Free plan's limit: needs Workers Paid",
    "too-big": "above the Paid plan's limit: Cloudflare will refuse it",
  }[report.verdict];
  return [
    `  Worker bundle${worker ? ` of ${worker}` : ""}: ${kib(report.bytes)}, gzip ${kib(report.gzip)} (${limits}): ${verdict}`,
    ...lines,
  ].join("\n");
}
