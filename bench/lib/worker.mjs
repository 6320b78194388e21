// Starts the Plaza Worker for benchmarks: throwaway state and secrets, the /__bench/bare baseline on.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { bin, freePort, NODE22, ROOT, secret } from "../../scripts/lib/processes.mjs";
import { startStripeEmulator } from "../../scripts/lib/stripe-emulator.mjs";
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
 * Limits a benchmark's load would hit within a second, raised so it measures the work instead of
 * a stream of 429s (the limits are still checked and counted per request): a download link's
 * uses, a buyer's downloads of one item per 24 hours, License API requests per minute per IP and
 * per key. The defaults in the code stay as they are.
 */
const BENCH_LIMIT = "1000000000";
const RAISED_LIMITS = { DOWNLOAD_MAX_USES: BENCH_LIMIT, DOWNLOAD_DAILY_LIMIT: BENCH_LIMIT, LICENSE_API_RATE_LIMIT: BENCH_LIMIT };

/** wrangler.toml serves web/dist as assets and refuses to start without it (a fresh clone has none). */
function buildWebOnce() {
  if (existsSync(join(ROOT, "web/dist/index.html"))) return;
  const build = spawnSync(NODE22, [bin.vite, "build", "--config", join(ROOT, "web/vite.config.ts")], { cwd: ROOT, stdio: "inherit" });
  if (build.status !== 0) throw new Error(`web/ build (vite) failed with exit ${build.status}`);
}

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
 * @returns {Promise<{ url: string, persistTo: string, stripeWebhookSecret: string, stripeEmulator: () => Promise<{ url: string }>, stop: () => Promise<void>, output: () => string }>}
 * (persistTo: the local D1/R2 state, for seeding; stripeEmulator(): starts the local Stripe
 * emulator on first call, wired to this Worker, for benches that pay for something)
 */
export async function startBenchWorker() {
  buildWebOnce();
  const secrets = { ...ephemeralSecrets(), ...paymentsSecrets() };
  // Plaza learns the emulator's address at start; the emulator itself is only started (on that
  // port) by a bench that needs it, so the others run without a second wrangler dev beside them.
  const stripePort = await freePort();
  // Secrets in a private env file (out of argv, and the repository's .dev.vars is then not read,
  // so a developer's STRIPE_SECRET_KEY cannot send the bench to Stripe); the rest as --var.
  const started = await startWranglerDev({
    secrets,
    vars: { ...RAISED_LIMITS, BENCH: "1", LOG_LEVEL, STRIPE_EMULATOR_URL: `http://127.0.0.1:${stripePort}` },
    env: { WRANGLER_LOG },
  });
  let emulator;
  const stripeEmulator = () =>
    (emulator ??= startStripeEmulator({
      port: stripePort,
      plazaUrl: started.url,
      webhookSecret: secrets.STRIPE_WEBHOOK_SECRET,
      connectWebhookSecret: secrets.STRIPE_CONNECT_WEBHOOK_SECRET,
      env: { WRANGLER_LOG },
    }));
  const stop = async () => {
    await Promise.allSettled([started.stop(), emulator?.then((e) => e.stop())]);
  };
  return { ...started, stop, stripeWebhookSecret: secrets.STRIPE_WEBHOOK_SECRET, stripeEmulator };
}
