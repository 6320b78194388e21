import { expect, it } from "vitest";
import type { Env } from "../env";
import { stripeTarget } from "./client";

const env = (vars: Partial<Env>) => ({ ENVIRONMENT: "development", ...vars }) as Env;

it("uses the real Stripe API whenever a key is configured, the emulator only without one, and never in production", () => {
  const key = ["sk", "test", "configured"].join("_");
  expect(stripeTarget(env({ STRIPE_SECRET_KEY: key, STRIPE_EMULATOR_URL: "http://localhost:12111" }))).toEqual({ key });
  expect(stripeTarget(env({ STRIPE_EMULATOR_URL: "http://localhost:12111" })).emulatorUrl).toBe("http://localhost:12111");
  expect(() => stripeTarget(env({ ENVIRONMENT: "production", STRIPE_EMULATOR_URL: "http://localhost:12111" }))).toThrow(
    expect.objectContaining({ code: "payments_unavailable", status: 503 }),
  );
});
