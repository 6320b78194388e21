// The Worker under test (with its rate-limit Durable Object), plus the local Stripe emulator's Durable Object, so the emulator runs in
// the same workerd as Plaza (reached through `worker/test/network.ts`) with per-file isolated state.

export { StripeEmulatorState } from "../../emulators/stripe/src/index";
export { default, RateLimitCounter } from "../src/index";
