// The Worker under test, plus the local Stripe emulator's Durable Object, so the emulator runs in
// the same workerd as Plaza (reached through `worker/test/network.ts`) with per-file isolated state.

export { StripeEmulatorState } from "../../emulators/stripe/src/index";
export { default } from "../src/index";
