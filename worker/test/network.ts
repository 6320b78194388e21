import { env, exports } from "cloudflare:workers";
import { roomFetch, roomsOrigin } from "./scripted-room";
import { RECEIVER_ORIGIN, receiverFetch } from "./webhook-receiver";

/**
 * The tests' network: `http://stripe.emulator` is the Stripe emulator (a Durable Object in this
 * workerd) and `http://plaza.test` is the Worker under test, so Plaza's real Stripe SDK calls reach
 * the emulator and the emulator's signed webhooks reach Plaza's real webhook route. ROOMS_URL is a
 * scripted room (scripted-room.ts). Anything else goes out as usual.
 */
export const STRIPE_EMULATOR_ORIGIN = "http://stripe.emulator";
export const PLAZA_ORIGIN = "http://plaza.test";

const testEnv = env as unknown as { STRIPE_STATE: DurableObjectNamespace };
const plaza = (exports as unknown as { default: Fetcher }).default;
const passthrough = globalThis.fetch;

globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
  const request = new Request(input, init);
  const origin = new URL(request.url).origin;
  if (origin === STRIPE_EMULATOR_ORIGIN) return testEnv.STRIPE_STATE.getByName("emulator").fetch(request);
  if (origin === PLAZA_ORIGIN) return plaza.fetch(request);
  if (origin === RECEIVER_ORIGIN) return receiverFetch(request);
  if (origin === roomsOrigin()) return roomFetch(request);
  return passthrough(request);
};
