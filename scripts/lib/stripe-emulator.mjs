// Starts the local Stripe emulator (emulators/stripe/) with `wrangler dev`, wired to a Plaza
// Worker: the emulator sends its signed webhooks to Plaza's two endpoints, and Plaza calls the
// emulator instead of api.stripe.com. Used by `npm start` and the payments e2e tests; never
// started when a real STRIPE_SECRET_KEY is configured.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writePrivateEnvFile } from "./env-file.mjs";
import { bin, freePort, ROOT, startProcess, waitForHttp } from "./processes.mjs";
import { ephemeralSecrets, startWranglerDev } from "./wrangler-dev.mjs";

export const STRIPE_EMULATOR_CONFIG = join(ROOT, "emulators/stripe/wrangler.toml");
/** The port Plaza's wrangler.toml points STRIPE_EMULATOR_URL at. */
export const DEFAULT_STRIPE_EMULATOR_PORT = 12111;

/** Plaza's two webhook endpoints on `plazaUrl`: platform events and Connect events. */
export const webhookUrls = (plazaUrl) => ({
  WEBHOOK_URL: `${plazaUrl}/v1/stripe/webhooks`,
  CONNECT_WEBHOOK_URL: `${plazaUrl}/v1/stripe/connect-webhooks`,
});

/**
 * The URLs go in as `--var`; the signing secrets (which must equal Plaza's STRIPE_WEBHOOK_SECRET
 * and STRIPE_CONNECT_WEBHOOK_SECRET) in a private env file, out of argv.
 *
 * @param {{ plazaUrl: string, webhookSecret: string, connectWebhookSecret: string, port?: number, persistTo?: string, env?: Record<string,string>, onOutput?: (chunk: string) => void }} options
 * @returns {Promise<{ url: string, port: number, persistTo: string, stop: () => Promise<void>, output: () => string, exited: Promise<number|null> }>}
 */
export async function startStripeEmulator(options) {
  const ownsPersistDir = !options.persistTo;
  const persistTo = options.persistTo ?? mkdtempSync(join(tmpdir(), "plaza-stripe-"));
  const port = options.port ?? (await freePort());
  const inspectorPort = await freePort();
  const envFile = writePrivateEnvFile({ WEBHOOK_SECRET: options.webhookSecret, CONNECT_WEBHOOK_SECRET: options.connectWebhookSecret });
  const args = [
    "dev",
    "--config",
    STRIPE_EMULATOR_CONFIG,
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    persistTo,
    "--show-interactive-dev-session=false",
    "--env-file",
    envFile.path,
    ...Object.entries(webhookUrls(options.plazaUrl)).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  const proc = startProcess("stripe emulator", bin.wrangler, args, {
    cwd: ROOT,
    env: { CI: "1", WRANGLER_SEND_METRICS: "false", ...(options.env ?? {}) },
    onOutput: options.onOutput,
  });
  const stop = async () => {
    await proc.stop();
    envFile.remove();
    if (ownsPersistDir) rmSync(persistTo, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    // `GET /` answers `{ emulator: "stripe" }` once the Durable Object is up.
    await waitForHttp(`${url}/`, { process: proc });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, persistTo, stop, output: proc.output, exited: proc.exited };
}

/** Two distinct free ports (two quick `freePort()` calls may, rarely, hand out the same one). */
async function twoFreePorts() {
  for (;;) {
    const a = await freePort();
    const b = await freePort();
    if (a !== b) return [a, b];
  }
}

/**
 * Plaza (`wrangler dev`, fresh state, migrations applied) and the Stripe emulator side by side,
 * wired to each other with matching webhook secrets: what the payments e2e tests run against.
 * `stop()` ends both. The emulator is started even if the calling shell has a STRIPE_SECRET_KEY:
 * Plaza gets only the `secrets` given here, never the repository's .dev.vars.
 *
 * @param {{ secrets?: Record<string,string>, vars?: Record<string,string> }} [options]
 */
export async function startPlazaWithStripe(options = {}) {
  const secrets = options.secrets ?? ephemeralSecrets();
  const [plazaPort, stripePort] = await twoFreePorts();
  const plazaUrl = `http://127.0.0.1:${plazaPort}`;
  const started = await Promise.allSettled([
    startStripeEmulator({
      port: stripePort,
      plazaUrl,
      webhookSecret: secrets.STRIPE_WEBHOOK_SECRET,
      connectWebhookSecret: secrets.STRIPE_CONNECT_WEBHOOK_SECRET,
    }),
    startWranglerDev({
      port: plazaPort,
      secrets,
      vars: { STRIPE_EMULATOR_URL: `http://127.0.0.1:${stripePort}`, ...(options.vars ?? {}) },
    }),
  ]);
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await Promise.allSettled(started.filter((s) => s.status === "fulfilled").map((s) => s.value.stop()));
    throw failed.reason;
  }
  const [stripe, plaza] = started.map((s) => s.value);
  return {
    url: plaza.url,
    plaza,
    stripe,
    secrets,
    /** A test key made for this run, for tests that call the emulator's Stripe API themselves (it takes any `sk_test_` key). */
    stripeApiKey: `sk_test_${randomBytes(12).toString("hex")}`,
    stop: async () => {
      await Promise.allSettled([plaza.stop(), stripe.stop()]);
    },
  };
}
