/**
 * The Refund dialog for an order, in full or in part, with a reason for the audit log: an org
 * admin's (Earnings) and an operator's (the console's Orders) send it to their own route.
 */
import { z } from "zod";
import type { OrderT, RefundResultT } from "../../../shared/payments";
import { h, uniqueId } from "../dom";
import { formatMoney } from "../format";
import { formAlert, formValue, handleSubmit, submitButton, textField } from "./form";
import { orderItems } from "./orders";
import { toast } from "./toast";

/** Digits after the decimal point in `currency` (2 for USD, 0 for JPY). */
const minorDigits = (currency: string) =>
  new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2;

/** "5", "5.5" or "5.50" in the currency's major unit → minor units; undefined when empty. */
function refundFormSchema(order: OrderT) {
  const digits = minorDigits(order.currency);
  const remaining = order.amount - order.amountRefunded;
  const pattern = digits > 0 ? new RegExp(`^\\d+(\\.\\d{1,${digits}})?$`) : /^\d+$/;
  return z.object({
    amount: z
      .string()
      .trim()
      .refine((s) => s === "" || pattern.test(s), digits > 0 ? `enter an amount like 5.00` : "enter a whole amount")
      .transform((s) => (s === "" ? undefined : Math.round(Number(s) * 10 ** digits)))
      .refine((n) => n === undefined || (n >= 1 && n <= remaining), `at most ${formatMoney(remaining, order.currency)} can be refunded`),
    reason: z.string().trim().min(1, "is required").max(500),
  });
}

export type RefundRequest = { amount?: number; reason: string };

/** One dialog for a page, filled for the order whose Refund button was pressed. */
export function refundDialog(o: {
  send: (order: OrderT, body: RefundRequest, idempotencyKey: string) => Promise<RefundResultT>;
  onRefunded: () => Promise<void>;
}) {
  const titleId = uniqueId("refund-title");
  const dialog = h("dialog", { "aria-labelledby": titleId });
  const open = (order: OrderT) => {
    const remaining = order.amount - order.amountRefunded;
    // One key per dialog: resubmitting after a lost answer cannot refund twice.
    const idempotencyKey = crypto.randomUUID();
    const cancel = h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Cancel");
    const form = h(
      "form",
      { "aria-label": "Refund" },
      h("p", {}, `Order ${order.id} · `, orderItems(order), ` · ${order.email}`),
      textField({
        name: "amount",
        label: "Amount",
        hint: `Leave empty to refund the whole ${formatMoney(remaining, order.currency)}.`,
        placeholder: formatMoney(remaining, order.currency),
      }),
      textField({ name: "reason", label: "Reason", required: true, maxlength: 500, hint: "Kept in the audit log." }),
      formAlert(),
      submitButton("Refund", cancel),
    );
    handleSubmit(form, {
      schema: refundFormSchema(order),
      read: (f) => ({ amount: formValue(f, "amount"), reason: formValue(f, "reason") }),
      submit: async (body) => {
        const refund = await o.send(order, body, idempotencyKey);
        dialog.close();
        toast(`Refund of ${formatMoney(refund.amount, refund.currency)} requested. The order updates when Stripe confirms it.`);
        await o.onRefunded();
      },
    });
    dialog.replaceChildren(h("h2", { id: titleId }, "Refund a sale"), form);
    dialog.showModal();
    form.querySelector<HTMLInputElement>("input[name=amount]")?.focus();
  };
  return { dialog, open };
}
