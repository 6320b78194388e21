import Stripe from "stripe";
import type { Env } from "../env";
import { AppError } from "../http/errors";
import { log } from "../http/log";

/**
 * The key the local Stripe emulator is called with. Not a secret: the emulator accepts any test-mode
 * key and refuses live ones; this one only names it.
 */
const EMULATOR_KEY = "sk_test_local_emulator";
const DEFAULT_EMULATOR_URL = "http://localhost:12111";

export interface StripeTarget {
  key: string;
  /** Set only for the local emulator; the real Stripe API otherwise. */
  emulatorUrl?: string;
}

/**
 * Which Stripe to talk to. A configured `STRIPE_SECRET_KEY` always means the real Stripe API (the
 * emulator is never wired in beside a real key); without one, outside production, the local
 * emulator at `STRIPE_EMULATOR_URL`. Production without a key is a configuration error: requests
 * that need Stripe answer 503 `payments_unavailable`.
 */
export function stripeTarget(env: Env): StripeTarget {
  if (env.STRIPE_SECRET_KEY) return { key: env.STRIPE_SECRET_KEY };
  if (env.ENVIRONMENT === "production") {
    // An operator's mistake, not the buyer's: logged loudly, answered as a clear 503.
    log("error", "STRIPE_SECRET_KEY must be set in production");
    throw new AppError("payments_unavailable", "Payments are not available right now");
  }
  return { key: EMULATOR_KEY, emulatorUrl: env.STRIPE_EMULATOR_URL || DEFAULT_EMULATOR_URL };
}

const clients = new Map<string, Stripe>();

/** One SDK client per configuration, reused across requests (it holds no per-request state). */
export function stripeFor(env: Env): Stripe {
  const target = stripeTarget(env);
  const cacheKey = `${target.key}|${target.emulatorUrl ?? ""}`;
  let client = clients.get(cacheKey);
  if (!client) {
    const endpoint = target.emulatorUrl ? new URL(target.emulatorUrl) : undefined;
    client = new Stripe(target.key, {
      // Looked up per call, so a test harness can route `fetch` (the emulator is reached the same way).
      httpClient: Stripe.createFetchHttpClient((input, init) => fetch(input, init)),
      // Retries reuse the SDK's automatic idempotency keys, so a retried POST never doubles.
      maxNetworkRetries: 2,
      timeout: 20_000,
      ...(endpoint
        ? {
            protocol: endpoint.protocol.replace(":", "") as "http" | "https",
            host: endpoint.hostname,
            port: Number(endpoint.port || (endpoint.protocol === "https:" ? 443 : 80)),
          }
        : {}),
    });
    clients.set(cacheKey, client);
  }
  return client;
}

/** Web Crypto for `constructEventAsync`: Workers have no Node HMAC on the SDK's sync path. */
export const stripeCrypto = Stripe.createSubtleCryptoProvider();
