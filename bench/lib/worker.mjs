// Starts the Plaza Worker for benchmarks: throwaway state and secrets, the /__bench/bare baseline on.
import { secret } from "../../scripts/lib/processes.mjs";
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

/**
 * The payments secrets the Worker reads, fresh per run. The Stripe webhook signing secret is also
 * handed to the benches, which sign their own events with it (`stripe-webhook`).
 */
function paymentsSecrets() {
  return {
    STRIPE_WEBHOOK_SECRET: `whsec_${secret()}`,
    STRIPE_CONNECT_WEBHOOK_SECRET: `whsec_${secret()}`,
    ENCRYPTION_KEYS: `k1:${secret(32)}`,
  };
}

/**
 * @returns {Promise<{ url: string, persistTo: string, stripeWebhookSecret: string, stop: () => Promise<void>, output: () => string }>}
 * (persistTo: the local D1/R2 state, for seeding)
 */
export async function startBenchWorker() {
  const secrets = { ...ephemeralSecrets(), ...paymentsSecrets() };
  const started = await startWranglerDev({
    vars: { ...secrets, BENCH: "1", LOG_LEVEL },
    env: { WRANGLER_LOG },
  });
  return { ...started, stripeWebhookSecret: secrets.STRIPE_WEBHOOK_SECRET };
}
