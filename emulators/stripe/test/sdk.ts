import { exports } from "cloudflare:workers";
import Stripe from "stripe";

/** The emulator Worker under test, called in-process through its real fetch handler. */
export const emulator = (exports as unknown as { default: Fetcher }).default;

export const EMULATOR_ORIGIN = "http://stripe.emulator";

/**
 * Not a secret: the emulator accepts any test-mode key (`sk_test_` + anything) and checks nothing
 * else, so tests name one placeholder.
 */
export const PLACEHOLDER_TEST_KEY = "sk_test_placeholder";

/** The official SDK, pointed at the emulator: its fetch goes to the Worker instead of the network. */
export function emulatorStripe(): Stripe {
  return new Stripe(PLACEHOLDER_TEST_KEY, {
    httpClient: Stripe.createFetchHttpClient((input, init) => emulator.fetch(new Request(input as string, init))),
    protocol: "http",
    host: "stripe.emulator",
    port: 80,
    maxNetworkRetries: 0,
  });
}

/** Polls until `check` returns a value, failing after the deadline (no fixed sleeps). */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, deadlineMs = 5_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - start > deadlineMs) throw new Error("waitFor: deadline passed");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
