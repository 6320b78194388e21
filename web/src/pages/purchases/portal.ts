import type { OrderT, SubscriptionT } from "../../../../shared/payments";
import { api } from "../../api/client";
import { asApiError } from "../../api/errors";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import { formatDate, formatDateTime, formatMoney } from "../../format";
import type { PageContext } from "../../router";
import { errorAlert } from "../../ui/alert";
import { describeError } from "../../ui/messages";
import { orderDiscount, orderItems, orderStatusBadge, orderTax } from "../../ui/orders";
import { pageHeader, section } from "../../ui/page";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";
import { storefrontItemUrl } from "../paths";
import { billingPortalButton, ENDED_STATUSES, pastDueNotice } from "./billing-portal";
import { downloadsSection } from "./downloads";
import { licensesSection } from "./licenses";
import { planCell } from "./plan-switch";
import { usageSection } from "./usage";

const ORDERS_PAGE_SIZE = 25;

const SUBSCRIPTION_STATUS_LABELS: Record<string, string> = {
  active: "Active",
  trialing: "Trial",
  past_due: "Payment failed",
  unpaid: "Unpaid",
  canceled: "Canceled",
  incomplete: "Incomplete",
  incomplete_expired: "Expired",
  paused: "Paused",
};

/** When it renews or ends, in words. */
function periodText(sub: SubscriptionT): string {
  if (sub.status === "canceled") return `Ended ${formatDate(sub.currentPeriodEnd)}`;
  if (sub.graceUntil !== null && sub.status === "past_due")
    return `Access until ${formatDate(sub.graceUntil)} unless the payment goes through`;
  return sub.cancelAtPeriodEnd ? `Ends ${formatDate(sub.currentPeriodEnd)}` : `Renews ${formatDate(sub.currentPeriodEnd)}`;
}

function subscriptionRow(sub: SubscriptionT, reload: () => Promise<void>): HTMLTableRowElement {
  const message = h("p", { class: "row-error", role: "alert", hidden: true });
  const live = !["canceled", "incomplete_expired"].includes(sub.status);
  const change = async (button: HTMLButtonElement, cancel: boolean) => {
    if (cancel && !confirm(`Cancel ${sub.itemName}? You keep access until ${formatDate(sub.currentPeriodEnd)}, and it does not renew.`))
      return;
    button.disabled = true;
    message.hidden = true;
    try {
      const param = { param: { subscriptionId: sub.id } };
      await unwrap(
        cancel
          ? api.v1.me.subscriptions[":subscriptionId"].cancel.$post(param)
          : api.v1.me.subscriptions[":subscriptionId"].resume.$post(param),
      );
      toast(cancel ? `${sub.itemName} ends ${formatDate(sub.currentPeriodEnd)}.` : `${sub.itemName} renews again.`);
      await reload();
    } catch (err) {
      button.disabled = false;
      message.textContent = describeError(asApiError(err));
      message.hidden = false;
    }
  };
  const action = !live
    ? null
    : sub.cancelAtPeriodEnd
      ? h(
          "button",
          { type: "button", class: "button small", onclick: (e: Event) => change(e.currentTarget as HTMLButtonElement, false) },
          "Resume",
        )
      : h(
          "button",
          { type: "button", class: "button small danger", onclick: (e: Event) => change(e.currentTarget as HTMLButtonElement, true) },
          "Cancel at period end",
        );
  return row(
    { "data-subscription-id": sub.id },
    h("a", { href: storefrontItemUrl(sub.itemSlug) }, sub.itemName),
    planCell(sub, reload),
    h("span", { class: `badge status-${sub.status}` }, SUBSCRIPTION_STATUS_LABELS[sub.status] ?? sub.status),
    periodText(sub),
    h(
      "div",
      { class: "row-actions" },
      sub.status === "past_due" && billingPortalButton("Update payment method", { subscriptionId: sub.id, primary: true, small: true }),
      action,
      message,
    ),
  );
}

function orderRow(order: OrderT): HTMLTableRowElement {
  return row(
    { "data-order-id": order.id },
    h("span", { class: "nowrap" }, formatDateTime(order.createdAt)),
    orderItems(order),
    h("span", { class: "amount" }, formatMoney(order.amount, order.currency), orderDiscount(order), orderTax(order)),
    h(
      "span",
      {},
      orderStatusBadge(order),
      order.amountRefunded > 0 && h("span", { class: "muted" }, ` ${formatMoney(order.amountRefunded, order.currency)} refunded`),
    ),
    h("code", {}, order.id),
  );
}

/**
 * `/dashboard/purchases`, the customer portal: the signed-in buyer's downloads, licenses (deactivate
 * installations), subscriptions (cancel at period end, resume) and orders, which are the receipts.
 */
export async function purchasesPage({ signal }: PageContext): Promise<Node> {
  const subscriptions = h("div");
  const loadSubscriptions = async () => {
    try {
      const { data } = await unwrap(api.v1.me.subscriptions.$get());
      if (signal.aborted) return;
      subscriptions.replaceChildren(
        pastDueNotice(data) ?? "",
        dataTable({
          caption: "Your subscriptions",
          headers: ["Item", "Plan", "Status", "Period", ""],
          rows: data.map((sub) => subscriptionRow(sub, loadSubscriptions)),
          empty: "No subscriptions.",
        }),
        // Stripe's portal: the card on file, invoices, paying a failed renewal, cancelling.
        data.some((sub) => !ENDED_STATUSES.includes(sub.status)) ? billingPortalButton("Manage billing") : "",
      );
    } catch (err) {
      subscriptions.replaceChildren(errorAlert(err));
    }
  };

  const tbody = h("tbody");
  const status = h("div", { class: "load-more" });
  const loadMore = h("button", { type: "button", class: "button" }, "Load more");
  let cursor: string | undefined;
  const loadOrders = async () => {
    loadMore.disabled = true;
    try {
      const page = await unwrap(api.v1.me.orders.$get({ query: { limit: String(ORDERS_PAGE_SIZE), ...(cursor ? { cursor } : {}) } }));
      if (signal.aborted) return;
      tbody.append(...page.data.map(orderRow));
      cursor = page.nextCursor ?? undefined;
      status.replaceChildren(
        cursor
          ? loadMore
          : h(
              "p",
              { class: "muted" },
              tbody.childElementCount === 0 ? "No purchases yet. Paid items on the storefront show a Buy button." : "That is everything.",
            ),
      );
    } catch (err) {
      status.replaceChildren(errorAlert(err), loadMore);
    } finally {
      loadMore.disabled = false;
    }
  };
  loadMore.addEventListener("click", loadOrders);
  const [downloads, licenses, usage] = await Promise.all([
    downloadsSection(signal),
    licensesSection(signal),
    usageSection(signal),
    loadSubscriptions(),
    loadOrders(),
  ]);

  const ordersTable = h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, "Your orders"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["When", "Items", "Amount", "Status", "Order"].map((t) => h("th", { scope: "col" }, t)),
        ),
      ),
      tbody,
    ),
  );
  return h(
    "div",
    { class: "stack" },
    pageHeader(
      "Purchases",
      "Everything you bought or subscribe to: downloads, license keys, subscriptions and receipts. A cancelled subscription keeps working until the end of the period you paid for.",
    ),
    downloads,
    licenses,
    section("Subscriptions", subscriptions),
    usage,
    section("Orders", ordersTable, status),
  );
}
