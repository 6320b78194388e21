import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { emitEvent } from "../events";
import { newId } from "../ids";
import { parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import { listSchema, respond, respondList } from "./common";

/** How an invoice is being paid: here always by one payment intent, which the app follows to its charge. */
export type InvoicePayment = StripeObject & {
  invoice: string;
  status: "open" | "paid" | "canceled";
  amount_paid: number | null;
  amount_requested: number;
  payment: { type: "payment_intent"; payment_intent: string };
  status_transitions: { canceled_at: number | null; paid_at: number | null };
};

const listParams = listSchema({
  invoice: z.string().optional(),
  status: z.enum(["open", "paid", "canceled"]).optional(),
  payment: z
    .object({ type: z.enum(["payment_intent", "payment_record"]), payment_intent: z.string().optional() })
    .strict()
    .optional(),
});

export function createInvoicePayment(
  store: ObjectStore,
  invoice: { id: string; amount_due: number; currency: string },
  paymentIntent: string,
) {
  const payment: InvoicePayment = {
    id: newId("invoice_payment"),
    object: "invoice_payment",
    amount_paid: null,
    amount_requested: invoice.amount_due,
    created: store.now(),
    currency: invoice.currency,
    invoice: invoice.id,
    is_default: true,
    livemode: false,
    payment: { type: "payment_intent", payment_intent: paymentIntent },
    status: "open",
    status_transitions: { canceled_at: null, paid_at: null },
  };
  return store.insert("invoice_payment", payment);
}

export function markInvoicePaymentPaid(store: ObjectStore, payment: InvoicePayment): InvoicePayment {
  const paid: InvoicePayment = {
    ...payment,
    amount_paid: payment.amount_requested,
    status: "paid",
    status_transitions: { ...payment.status_transitions, paid_at: store.now() },
  };
  store.update(paid);
  emitEvent(store, "invoice_payment.paid", paid);
  return paid;
}

export const paymentsOfInvoice = (store: ObjectStore, invoice: string) =>
  store.all<InvoicePayment>("invoice_payment").filter((payment) => payment.invoice === invoice);

export const invoicePayments = new Hono<AppEnv>()
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const matches = c.var.store
      .all<InvoicePayment>("invoice_payment")
      .filter(
        (p) =>
          (!params.invoice || p.invoice === params.invoice) &&
          (!params.status || p.status === params.status) &&
          (!params.payment?.payment_intent || p.payment.payment_intent === params.payment.payment_intent),
      );
    return respondList(c, matches, params);
  })
  .get("/:id", (c) => respond(c, c.var.store.get("invoice_payment", c.req.param("id"))));
