/**
 * A subscription's plan in Purchases ("$12.00 / month") and, when the item offers the other
 * interval, a button to switch to it: after a confirm naming the new price and what Stripe's preview
 * says it charges now, Stripe prorates the change (the unused time credited, the new plan charged
 * now) and the new period starts today.
 */
import type { PlanChangePreviewT, SubscriptionPlanT, SubscriptionT } from "../../../../shared/payments";
import { api } from "../../api/client";
import { asApiError } from "../../api/errors";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import { formatDate, formatMoney } from "../../format";
import { describeError } from "../../ui/messages";
import { toast } from "../../ui/toast";

const BILLED = { month: "monthly", year: "yearly" } as const;
const planPrice = (plan: SubscriptionPlanT) => `${formatMoney(plan.amount, plan.currency)} / ${plan.interval}`;

/** The confirm, with what Stripe's preview says the switch charges now or leaves as credit. */
function confirmText(sub: SubscriptionT, to: SubscriptionPlanT, preview: PlanChangePreviewT): string {
  const money = (amount: number) => formatMoney(amount, preview.currency);
  const now =
    preview.dueNow > 0
      ? `You pay ${money(preview.dueNow)} now with your card on file (the new plan less the unused time of your current one).`
      : "Nothing is charged now: the unused time of your current plan is credited.";
  const credit = preview.creditLeft > 0 ? ` The ${money(preview.creditLeft)} of credit left pays your next renewals.` : "";
  return `Switch ${sub.itemName} to ${BILLED[to.interval]} billing at ${planPrice(to)}? ${now}${credit} Your new billing period starts today.`;
}

export function planCell(sub: SubscriptionT, reload: () => Promise<void>): HTMLElement {
  const to = sub.switchTo;
  const message = h("p", { class: "row-error", role: "alert", hidden: true });
  const button =
    to &&
    h(
      "button",
      {
        type: "button",
        class: "button small",
        onclick: async () => {
          button!.disabled = true;
          message.hidden = true;
          try {
            const request = { param: { subscriptionId: sub.id }, json: { interval: to.interval } };
            const preview = await unwrap(api.v1.me.subscriptions[":subscriptionId"].plan.preview.$post(request));
            if (!confirm(confirmText(sub, to, preview))) {
              button!.disabled = false;
              return;
            }
            const switched = await unwrap(api.v1.me.subscriptions[":subscriptionId"].plan.$post(request));
            toast(`${sub.itemName} is now billed ${BILLED[to.interval]}; it renews ${formatDate(switched.currentPeriodEnd)}.`);
            await reload();
          } catch (err) {
            button!.disabled = false;
            message.textContent = describeError(asApiError(err));
            message.hidden = false;
          }
        },
      },
      `Switch to ${BILLED[to.interval]}`,
    );
  return h("div", { class: "plan-cell" }, h("span", { class: "nowrap" }, sub.plan ? planPrice(sub.plan) : "—"), button ?? "", message);
}
