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

/** Calls an emulator-only `/_emulator/*` route with a JSON body (GET without one) and returns its JSON. */
export async function admin<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T> {
  const res = await emulator.fetch(`${EMULATOR_ORIGIN}/_emulator${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Moves emulator time forward and runs the renewals that fell due. */
export const advanceClock = (seconds: number) =>
  admin<{ now: number; offset_seconds: number; invoices: string[]; canceled_subscriptions: string[] }>("/clock/advance", { seconds });

/** Presses Pay on the hosted Checkout page. */
export const payCheckout = (sessionId: string) =>
  emulator.fetch(`${EMULATOR_ORIGIN}/checkout/${sessionId}/pay`, { method: "POST", redirect: "manual" });

/** An Express account that finished hosted onboarding, so it can take destination charges. */
export async function onboardedAccount(stripe: Stripe, email = "author@example.test"): Promise<Stripe.Account> {
  const account = await stripe.accounts.create({
    type: "express",
    email,
    country: "US",
    capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
  });
  const link = await stripe.accountLinks.create({
    account: account.id,
    type: "account_onboarding",
    refresh_url: "https://plaza.test/connect/refresh",
    return_url: "https://plaza.test/connect/return",
  });
  const res = await emulator.fetch(`${link.url}/complete`, { method: "POST", redirect: "manual" });
  if (res.status !== 303) throw new Error(`onboarding answered ${res.status}`);
  return stripe.accounts.retrieve(account.id);
}
