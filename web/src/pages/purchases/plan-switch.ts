/**
 * A subscription's plan in Purchases ("$12.00 / month") and, when the item offers the other
 * interval, a button to switch to it: after a confirm naming the new price, Stripe prorates the
 * change (the unused time is credited, the new plan charged now) and the new period starts today.
 */
import type { SubscriptionPlanT, SubscriptionT } from "../../../../shared/payments";
import { api } from "../../api/client";
import { asApiError } from "../../api/errors";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import { formatDate, formatMoney } from "../../format";
import { describeError } from "../../ui/messages";
import { toast } from "../../ui/toast";

const BILLED = { month: "monthly", year: "yearly" } as const;
const planPrice = (plan: SubscriptionPlanT) => `${formatMoney(plan.amount, plan.currency)} / ${plan.interval}`;

function confirmText(sub: SubscriptionT, to: SubscriptionPlanT): string {
  const credit =
    to.interval === "month"
      ? "The unused time of your yearly plan is credited to you and pays your next monthly renewals."
      : "The unused time of your current plan is credited, and the rest is charged now to your card on file.";
  return `Switch ${sub.itemName} to ${BILLED[to.interval]} billing at ${planPrice(to)}? ${credit} Your new billing period starts today.`;
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
          if (!confirm(confirmText(sub, to))) return;
          button!.disabled = true;
          message.hidden = true;
          try {
            const switched = await unwrap(
              api.v1.me.subscriptions[":subscriptionId"].plan.$post({ param: { subscriptionId: sub.id }, json: { interval: to.interval } }),
            );
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
