import { invalidRequest } from "../errors";
import { emitEvent } from "../events";
import type { ObjectStore } from "../store";
import type { CheckoutSession } from "./checkout-sessions";

/** An open session stops taking payments and `checkout.session.expired` is sent; any other status is Stripe's 400. */
export function expireCheckoutSession(store: ObjectStore, session: CheckoutSession): CheckoutSession {
  if (session.status !== "open") {
    throw invalidRequest(
      `This Checkout Session is ${session.status}: only a Checkout Session in one of these statuses can be expired: open.`,
      undefined,
      "checkout_session_not_expirable",
    );
  }
  const expired = store.update({ ...session, status: "expired" as const, url: null });
  emitEvent(store, "checkout.session.expired", expired);
  return expired;
}

/**
 * Sessions whose `expires_at` the emulator clock has passed expire, in every account, as Stripe
 * expires them on its own: run when the clock moves and before a session is read or paid.
 */
export function expireDueSessions(platform: ObjectStore): string[] {
  const expired: string[] = [];
  for (const account of platform.accountsWith("checkout.session")) {
    const store = platform.forAccount(account);
    for (const session of store.all<CheckoutSession>("checkout.session")) {
      if (session.status !== "open" || (session.expires_at as number) > store.now()) continue;
      store.clock.at(session.expires_at as number, () => expireCheckoutSession(store, session));
      expired.push(session.id);
    }
  }
  return expired;
}
