import { type Context, Hono } from "hono";
import { z } from "zod";
import { adminCheckout } from "./admin-checkout";
import { adminConnect } from "./admin-connect";
import { adminDisputes } from "./admin-disputes";
import { adminRefunds } from "./admin-refunds";
import { adminTax } from "./admin-tax";
import { billUntil } from "./billing/renewals";
import type { AppEnv } from "./context";
import { invalidRequest, resourceMissing } from "./errors";
import { addFault, clearFaults, FAULT_KINDS } from "./faults";
import { decodeFormString } from "./form";
import { parseParams } from "./params";
import { type Account, setChargesEnabled } from "./resources/accounts";
import { expireDueSessions } from "./resources/checkout-expiry";
import type { CustomerInternal } from "./resources/customers";
import { listDeliveries } from "./webhooks/delivery";
import { addEndpoint, listEndpoints, removeEndpoint } from "./webhooks/endpoints";

const endpointParams = z
  .object({
    url: z.string().url(),
    secret: z.string().min(1).optional(),
    connect: z.boolean().optional(),
    enabled_events: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();
/** Ten years at most: renewals bill every period an advance skips, and the clock must stay a date. */
const MAX_ADVANCE_SECONDS = 10 * 366 * 86_400;
const advanceParams = z.object({ seconds: z.number().int().positive().max(MAX_ADVANCE_SECONDS) }).strict();
const paymentBehaviorParams = z.object({ fail: z.boolean() }).strict();
const chargesParams = z.object({ enabled: z.boolean() }).strict();
const faultParams = z
  .object({
    kind: z.enum(FAULT_KINDS),
    method: z
      .string()
      .regex(/^[A-Za-z]+$/)
      .optional(),
    path: z.string().startsWith("/v1/").optional(),
    times: z.number().int().positive().default(1),
  })
  .strict();

/** Admin routes take JSON (or a form, for curl users); a form's values are strings, so coerce flags. */
async function body(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  if ((c.req.header("content-type") ?? "").includes("application/json")) return (await c.req.json()) as Record<string, unknown>;
  const form = decodeFormString(await c.req.text()) as Record<string, unknown>;
  for (const [key, value] of Object.entries(form)) {
    if (value === "true" || value === "false") form[key] = value === "true";
    else if (typeof value === "string" && /^\d+$/.test(value) && (key === "seconds" || key === "times")) form[key] = Number(value);
  }
  return form;
}

const clockState = (c: Context<AppEnv>) => ({ now: c.var.store.now(), offset_seconds: c.var.store.clock.offsetSeconds });

/** Emulator-only routes (no Stripe equivalent): where to send events, what was sent, time, and outcomes. */
export const admin = new Hono<AppEnv>()
  .post("/webhook_endpoints", async (c) => {
    const params = parseParams(endpointParams, await body(c));
    const endpoint = addEndpoint(c.var.store, {
      url: params.url,
      secret: params.secret,
      connect: params.connect,
      enabledEvents: params.enabled_events,
    });
    return c.json(endpoint);
  })
  .get("/webhook_endpoints", (c) => c.json({ data: listEndpoints(c.var.store) }))
  .delete("/webhook_endpoints/:id", (c) => {
    if (!removeEndpoint(c.var.store, c.req.param("id"))) throw invalidRequest("No such webhook endpoint", "id", "resource_missing");
    return c.json({ id: c.req.param("id"), deleted: true });
  })
  .get("/webhook_deliveries", (c) => c.json({ data: listDeliveries(c.var.store, c.req.query("event")) }))
  .get("/clock", (c) => c.json(clockState(c)))
  .post("/clock/advance", async (c) => {
    const params = parseParams(advanceParams, await body(c));
    const store = c.var.store;
    const now = store.clock.advance(params.seconds);
    // Customers on a Stripe test clock keep their own time; only the rest follow the emulator clock.
    const report = billUntil(store, now, (customer) => !customer?.test_clock);
    return c.json({ ...clockState(c), ...report, expired_checkout_sessions: expireDueSessions(store) });
  })
  .post("/customers/:id/payment_behavior", async (c) => {
    const params = parseParams(paymentBehaviorParams, await body(c));
    const store = c.var.store;
    const id = c.req.param("id");
    if (!store.ownerOf("customer", id)) throw resourceMissing("customer", id);
    store.setInternal(id, { ...store.internal<CustomerInternal>(id), failPayments: params.fail } satisfies CustomerInternal);
    return c.json({ customer: id, fail: params.fail });
  })
  .post("/faults", async (c) => c.json(addFault(c.var.store, parseParams(faultParams, await body(c)))))
  .delete("/faults", (c) => {
    clearFaults(c.var.store);
    return c.json({ deleted: true });
  })
  .post("/accounts/:id/charges", async (c) => {
    const params = parseParams(chargesParams, await body(c));
    const store = c.var.store;
    const account = store.get<Account>("account", c.req.param("id"));
    return c.json(setChargesEnabled(store, account, params.enabled));
  });

// A refund's lifecycle: refunds that stay pending, then succeed, fail or are canceled.
admin.route("/", adminRefunds);
// Connected accounts' payouts and deauthorization.
admin.route("/", adminConnect);
// Automatic tax's rate per country.
admin.route("/", adminTax);
// Cardholders' disputes: opened on a charge, then won or lost.
admin.route("/", adminDisputes);
// Checkout's asynchronous payments (the sessions' expiry follows the clock above).
admin.route("/checkout/sessions", adminCheckout);
