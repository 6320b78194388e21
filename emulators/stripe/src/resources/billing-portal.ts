import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { newId } from "../ids";
import { parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import { paramsSchema, respond } from "./common";
import type { Customer } from "./customers";

const createParams = paramsSchema({
  customer: z.string(),
  return_url: z.string().url().optional(),
  configuration: z.string().optional(),
  locale: z.string().optional(),
  on_behalf_of: z.string().optional(),
});

/** Stripe's sessions are short-lived: the link must be opened within five minutes of being made... */
export const PORTAL_LINK_LIFETIME_SECONDS = 300;
/** ...and, once opened, the portal works for an hour (the emulator's choice for how long a visit lasts). */
export const PORTAL_VISIT_SECONDS = 3600;

export type PortalSession = StripeObject & {
  configuration: string;
  created: number;
  customer: string;
  return_url: string | null;
  url: string;
};

/** When the session stops working, kept off the public object (Stripe shows no expiry on it). */
interface PortalSessionInternal {
  expiresAt: number;
  opened: boolean;
}

/**
 * The account's default portal configuration, made the first time a session needs one (in Stripe,
 * saving the portal settings in the Dashboard makes it): invoice history, payment method update and
 * cancellation at the end of the period.
 */
function defaultConfiguration(store: ObjectStore): StripeObject {
  const existing = store.all<StripeObject>("billing_portal.configuration").find((c) => c.is_default);
  if (existing) return existing;
  const created = store.now();
  return store.insert("billing_portal.configuration", {
    id: newId("billing_portal.configuration"),
    object: "billing_portal.configuration",
    active: true,
    application: null,
    business_profile: { headline: null, privacy_policy_url: null, terms_of_service_url: null },
    created,
    default_return_url: null,
    features: {
      customer_update: { allowed_updates: [], enabled: false },
      invoice_history: { enabled: true },
      payment_method_update: { enabled: true },
      subscription_cancel: { enabled: true, mode: "at_period_end", proration_behavior: "none" },
      subscription_update: { enabled: false },
    },
    is_default: true,
    livemode: false,
    metadata: {},
    updated: created,
  });
}

/**
 * Opens the session: the first visit within the link's five minutes starts the visit's hour.
 * Whether it may be used now (an expired session shows an expiry page, as Stripe's does).
 */
export function openPortalSession(store: ObjectStore, session: PortalSession): boolean {
  const internal = store.internal<PortalSessionInternal>(session.id)!;
  const now = store.now();
  if (now > internal.expiresAt) return false;
  if (!internal.opened) {
    store.setInternal(session.id, { expiresAt: now + PORTAL_VISIT_SECONDS, opened: true } satisfies PortalSessionInternal);
  }
  return true;
}

export const billingPortalSessions = new Hono<AppEnv>().post("/", (c) => {
  const params = parseParams(createParams, c.var.params);
  const store = c.var.store;
  const customer = store.get<Customer>("customer", params.customer, "customer");
  const configuration = params.configuration
    ? store.get<StripeObject>("billing_portal.configuration", params.configuration, "configuration")
    : defaultConfiguration(store);
  const created = store.now();
  const id = newId("billing_portal.session");
  const session: PortalSession = {
    id,
    object: "billing_portal.session",
    configuration: configuration.id,
    created,
    customer: customer.id,
    customer_account: null,
    flow: null,
    livemode: false,
    locale: params.locale ?? null,
    on_behalf_of: params.on_behalf_of ?? null,
    return_url: params.return_url ?? (configuration.default_return_url as string | null),
    // The session id is the capability: whoever has the link manages the customer's billing.
    url: `${new URL(c.req.url).origin}/billing_portal/${id}`,
  };
  store.insert("billing_portal.session", session, {
    expiresAt: created + PORTAL_LINK_LIFETIME_SECONDS,
    opened: false,
  } satisfies PortalSessionInternal);
  return respond(c, session);
});
