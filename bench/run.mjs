// `npm run bench [name …] [--json]`: runs bench/*.bench.mjs in order (or the named ones) against
// one shared `wrangler dev` (benches that start servers of their own, like `rooms`, register them
// with `onAbort`), then prints a summary; --json also writes bench/results/latest.json.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { NODE22 } from "../scripts/lib/processes.mjs";
import { table } from "./lib/print.mjs";
import { startBenchWorker } from "./lib/worker.mjs";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS_FILE = join(BENCH_DIR, "results/latest.json");

// The login bench imports worker/src/*.ts, which needs Node ≥ 22.18 (type stripping); the
// machine's own node is 20, so re-run under the node@22 devDependency when started directly.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const child = spawnSync(NODE22, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}

function selectBenches(args) {
  const all = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(".bench.mjs"))
    .sort();
  const names = args.filter((a) => !a.startsWith("--")).map((a) => a.replace(/(\.bench)?\.mjs$/, ""));
  const unknown = names.filter((n) => !all.includes(`${n}.bench.mjs`));
  if (unknown.length)
    throw new Error(`unknown bench ${unknown.join(", ")}; have: ${all.map((f) => f.replace(".bench.mjs", "")).join(", ")}`);
  return names.length ? names.map((n) => `${n}.bench.mjs`) : all;
}

/** One `wrangler dev` for the whole run, started by the first bench that asks for it. */
function sharedWorker() {
  let started;
  return {
    get: () => (started ??= startBenchWorker()),
    stop: async () => (started ? (await started.catch(() => undefined))?.stop() : undefined),
  };
}

async function main() {
  const args = process.argv.slice(2);
  const files = selectBenches(args);
  const worker = sharedWorker();
  // Servers a bench started itself (partykit dev, the reference Y.js server), stopped on Ctrl-C too.
  const ownServers = new Set();
  const onAbort = (stop) => {
    ownServers.add(stop);
    return () => ownServers.delete(stop);
  };
  // wrangler and those servers run in their own process groups, so Ctrl-C would not reach them: stop them ourselves.
  const stopAll = () => Promise.allSettled([worker.stop(), ...[...ownServers].map((stop) => stop())]);
  for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => stopAll().finally(() => process.exit(130)));

  const startedAt = Date.now();
  const results = [];
  try {
    for (const file of files) {
      const name = file.replace(".bench.mjs", "");
      const bench = await import(pathToFileURL(join(BENCH_DIR, file)).href);
      console.log(`\n=== ${name}: ${bench.description}`);
      const t0 = Date.now();
      try {
        const outcome = await bench.run({ worker: worker.get, onAbort, log: (line = "") => console.log(line) });
        results.push({ name, ...outcome, seconds: (Date.now() - t0) / 1000 });
      } catch (err) {
        console.error(`${name} failed: ${err.stack ?? err}`);
        results.push({ name, error: String(err.message ?? err), seconds: (Date.now() - t0) / 1000 });
      }
    }
  } finally {
    await worker.stop();
  }

  console.log(`\n=== summary (${((Date.now() - startedAt) / 1000).toFixed(0)} s; shared machine, expect noise between runs)`);
  const rows = results.flatMap((r) =>
    r.error ? [[r.name, "FAILED", r.error.slice(0, 100)]] : r.metrics.map((m) => [r.name, m.name, m.display]),
  );
  console.log(table(["bench", "metric", "value"], rows));

  if (args.includes("--json")) {
    mkdirSync(dirname(RESULTS_FILE), { recursive: true });
    const json = { at: new Date().toISOString(), node: process.versions.node, results };
    writeFileSync(RESULTS_FILE, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`\nwrote ${RESULTS_FILE}`);
  }
  return results.some((r) => r.error) ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(String(err.message ?? err));
  process.exitCode = 2;
}
