// Starts the Plaza Worker for benchmarks: throwaway state and secrets, the /__bench/bare baseline on.
import { ephemeralSecrets, startWranglerDev } from "../../scripts/lib/wrangler-dev.mjs";

/**
 * wrangler dev prints a line per request by default; at `warn` that work and the terminal noise
 * go away. It would cost baseline and target alike, but it would also shrink the gap we measure.
 * Set BENCH_WRANGLER_LOG=info to see the request log again.
 */
const WRANGLER_LOG = process.env.BENCH_WRANGLER_LOG ?? "warn";

/**
 * The Worker's own request log (one JSON line per request) travels through wrangler dev's
 * console pipe locally, which costs more than everything else a request does; in production it
 * is a cheap Workers Logs write. Off by default here; BENCH_LOG_LEVEL=info measures with it.
 */
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? "warn";

/** @returns {Promise<{ url: string, persistTo: string, stop: () => Promise<void>, output: () => string }>} (persistTo: the local D1/R2 state, for seeding) */
export async function startBenchWorker() {
  return startWranglerDev({
    vars: { ...ephemeralSecrets(), BENCH: "1", LOG_LEVEL },
    env: { WRANGLER_LOG },
  });
}
