// Starts the Plaza Worker for benchmarks: throwaway state and secrets, the /__bench/bare baseline on.
import { ephemeralSecrets, startWranglerDev } from "../../scripts/lib/wrangler-dev.mjs";

/**
 * wrangler dev prints a line per request by default; at `warn` that work and the terminal noise
 * go away. It would cost baseline and target alike, but it would also shrink the gap we measure.
 * Set BENCH_WRANGLER_LOG=info to see the request log again.
 */
const WRANGLER_LOG = process.env.BENCH_WRANGLER_LOG ?? "warn";

/** @returns {Promise<{ url: string, persistTo: string, stop: () => Promise<void>, output: () => string }>} (persistTo: the local D1/R2 state, for seeding) */
export async function startBenchWorker() {
  return startWranglerDev({
    vars: { ...ephemeralSecrets(), BENCH: "1" },
    env: { WRANGLER_LOG },
  });
}
