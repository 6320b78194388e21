// Baseline and target measured in turns against the same server, so drift (other processes,
// thermal, GC) lands on both instead of skewing the ratio.
import { measureThroughput } from "./load.mjs";

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

function summarize(runs) {
  return {
    requestsPerSec: mean(runs.map((r) => r.requestsPerSec)),
    p50Ms: mean(runs.map((r) => r.p50Ms)),
    p99Ms: mean(runs.map((r) => r.p99Ms)),
    runs,
  };
}

/**
 * Runs baseline, target, baseline, target, … (`rounds` of each). An endpoint's optional
 * `beforeRun()` is awaited before each of its runs (warm-up included), e.g. to sign fresh requests.
 * @param {{ baseline: { url: string, headers?: object, beforeRun?: () => Promise<void> }, target: { url: string, headers?: object, beforeRun?: () => Promise<void> }, rounds?: number, onRun?: (label: string, run: object) => void }} options
 */
export async function compareAlternating({ baseline, target, rounds = 2, onRun = () => {} }) {
  const runs = { baseline: [], target: [] };
  for (let i = 0; i < rounds; i++) {
    for (const [label, { beforeRun, ...endpoint }] of [
      ["baseline", baseline],
      ["target", target],
    ]) {
      await beforeRun?.();
      const run = await measureThroughput(endpoint);
      runs[label].push(run);
      onRun(label, run);
    }
  }
  const b = summarize(runs.baseline);
  const t = summarize(runs.target);
  return { baseline: b, target: t, ratio: t.requestsPerSec / b.requestsPerSec };
}
