// Small timing helpers: wall-clock samples of sequential calls, and real CPU time in this process.
import { performance } from "node:perf_hooks";

export function stats(samplesMs) {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {
    n: sorted.length,
    meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    p50Ms: at(0.5),
    minMs: sorted[0],
    maxMs: sorted.at(-1),
  };
}

export async function wallTimeMs(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * CPU time per call of `fn`, run `n` times in sequence. process.cpuUsage() is getrusage(SELF):
 * it includes libuv's thread pool, where node:crypto's async scrypt actually runs.
 */
export async function cpuTimePerCallMs(fn, n) {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const cpu = process.cpuUsage(cpuStart);
  return { n, cpuMs: (cpu.user + cpu.system) / 1000 / n, wallMs: (performance.now() - wallStart) / n };
}

/** The q-quantile of ascending `sorted` (nearest rank), e.g. 0.99 for p99. */
export function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
