import type { SubscriptionT } from "../../../../shared/payments";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import { formatDate } from "../../format";
import { alertBox, errorAlert } from "../../ui/alert";

/** Subscriptions in these states have nothing left to manage: the API refuses a portal for them. */
export const ENDED_STATUSES = ["canceled", "unpaid", "incomplete_expired"];

/**
 * A button that opens Stripe's billing portal (update the card, pay a failed renewal, cancel, see
 * invoices) for the customer `subscriptionId` bills, or the buyer's newest; the link is short-lived,
 * so it is fetched on the click and followed at once (a full page load; Stripe returns to Purchases).
 */
export function billingPortalButton(label: string, options: { subscriptionId?: string; primary?: boolean; small?: boolean } = {}) {
  const result = h("span");
  const button = h(
    "button",
    {
      type: "button",
      class: ["button", options.primary && "primary", options.small && "small"].filter(Boolean).join(" "),
      onclick: async () => {
        button.disabled = true;
        result.replaceChildren(h("span", { class: "muted", role: "status" }, " Opening Stripe…"));
        try {
          const json = options.subscriptionId ? { subscriptionId: options.subscriptionId } : {};
          location.assign((await unwrap(api.v1.me["billing-portal"].$post({ json }))).url);
        } catch (err) {
          button.disabled = false;
          result.replaceChildren(errorAlert(err));
        }
      },
    },
    label,
  );
  return h("span", { class: "billing-portal-action" }, button, result);
}

/** Above the subscriptions: a failed renewal, when access ends unless it is paid, and how to fix it. */
export function pastDueNotice(subscriptions: SubscriptionT[]) {
  const pastDue = subscriptions.find((sub) => sub.status === "past_due");
  if (!pastDue) return null;
  const until = pastDue.graceUntil === null ? "" : ` You keep access until ${formatDate(pastDue.graceUntil)}.`;
  return alertBox(
    "error",
    h("p", {}, `The payment for ${pastDue.itemName} failed.${until} Update your payment method and pay the open invoice to keep it.`),
    billingPortalButton("Update payment method", { subscriptionId: pastDue.id, primary: true }),
  );
}
