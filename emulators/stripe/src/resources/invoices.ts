import { Hono } from "hono";
import { z } from "zod";
import { collectInvoice, type Invoice } from "../billing/invoicing";
import { previewItemPrices } from "../billing/plan-changes";
import type { AppEnv } from "../context";
import { cardDeclined, invalidRequest } from "../errors";
import { expandObject } from "../expand";
import { paginate } from "../list";
import { parseParams } from "../params";
import type { ObjectStore } from "../store";
import { listSchema, paramsSchema, respondList } from "./common";
import { atCustomerTime } from "./customers";
import { paymentsOfInvoice } from "./invoice-payments";
import type { Subscription } from "./subscriptions";

const listParams = listSchema({
  customer: z.string().optional(),
  subscription: z.string().optional(),
  status: z.enum(["draft", "open", "paid", "uncollectible", "void"]).optional(),
  collection_method: z.enum(["charge_automatically", "send_invoice"]).optional(),
});
const payParams = paramsSchema({
  off_session: z.enum(["true", "false"]).optional(),
  payment_method: z.string().optional(),
});
const linesParams = listSchema({});
const previewParams = paramsSchema({
  customer: z.string().optional(),
  subscription: z.string(),
  subscription_details: z
    .object({
      items: z.array(z.object({ id: z.string().optional(), price: z.string().optional() }).strict()).optional(),
      proration_behavior: z.enum(["always_invoice", "create_prorations", "none"]).optional(),
    })
    .strict()
    .optional(),
});

const subscriptionOf = (invoice: Invoice) => invoice.parent.subscription_details.subscription;

/**
 * `payments` is an includable field in Stripe: only there when asked for with `expand[]=payments`
 * (or `data.payments` on a list). It holds the invoice's InvoicePayment objects.
 */
function withPayments(store: ObjectStore, invoice: Invoice, paths: string[]) {
  if (!paths.some((path) => path === "payments" || path.startsWith("payments."))) return invoice;
  const payments = paymentsOfInvoice(store, invoice.id);
  return { ...invoice, payments: { object: "list", data: payments, has_more: false, url: `/v1/invoice_payments?invoice=${invoice.id}` } };
}

const expandPaths = (params: { expand?: unknown }) => (params.expand as string[] | undefined) ?? [];

export const invoices = new Hono<AppEnv>()
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const store = c.var.store;
    const matches = store
      .all<Invoice>("invoice")
      .filter(
        (invoice) =>
          (!params.customer || invoice.customer === params.customer) &&
          (!params.subscription || subscriptionOf(invoice) === params.subscription) &&
          (!params.status || invoice.status === params.status) &&
          (!params.collection_method || invoice.collection_method === params.collection_method),
      );
    const nested = expandPaths(params).flatMap((path) => (path.startsWith("data.") ? [path.slice(5)] : []));
    if (!nested.some((path) => path === "payments" || path.startsWith("payments."))) return respondList(c, matches, params);
    const page = paginate(matches, c.req.path, params);
    const list = { ...page, data: page.data.map((invoice) => withPayments(store, invoice, nested)) };
    return c.json(expandObject(store, list, params.expand));
  })
  .get("/:id", (c) => {
    const params = parseParams(paramsSchema({}), c.var.params);
    const store = c.var.store;
    const invoice = store.get<Invoice>("invoice", c.req.param("id"));
    return c.json(expandObject(store, withPayments(store, invoice, expandPaths(params)), params.expand));
  })
  // A subscription's price change, previewed: what it would invoice now (see billing/plan-changes.ts).
  .post("/create_preview", (c) => {
    const params = parseParams(previewParams, c.var.params);
    const store = c.var.store;
    const subscription = store.get<Subscription>("subscription", params.subscription, "subscription");
    const details = params.subscription_details ?? {};
    return atCustomerTime(store, subscription.customer, () =>
      c.json(previewItemPrices(store, subscription, details.items ?? [], details.proration_behavior ?? "create_prorations")),
    );
  })
  .get("/:id/lines", (c) => {
    const params = parseParams(linesParams, c.var.params);
    const invoice = c.var.store.get<Invoice>("invoice", c.req.param("id"));
    return respondList(c, invoice.lines.data, params);
  })
  .post("/:id/pay", (c) => {
    const params = parseParams(payParams, c.var.params);
    const store = c.var.store;
    const invoice = store.get<Invoice>("invoice", c.req.param("id"));
    if (invoice.status === "paid") throw invalidRequest("Invoice is already paid.");
    if (invoice.status !== "open") throw invalidRequest(`You can only pay an open invoice; this one is ${invoice.status}.`);
    // The attempt is recorded either way; a decline then answers 402 as Stripe does.
    const result = atCustomerTime(store, invoice.customer, () => collectInvoice(store, invoice));
    if (!result.paid) {
      const charge = result.charge!;
      throw cardDeclined(charge.id, String(charge.failure_code), String(charge.failure_message));
    }
    return c.json(expandObject(store, withPayments(store, result.invoice, expandPaths(params)), params.expand));
  });
