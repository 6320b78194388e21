import { formatMoney } from "../../../shared/money";
import type { OrderT } from "../../../shared/payments";
import { h } from "../dom";
import { storefrontItemUrl } from "../pages/paths";

const ORDER_STATUS_LABELS: Record<OrderT["status"], string> = { paid: "Paid", refunded: "Refunded", partially_refunded: "Partly refunded" };

/** Shared by the buyer's purchases and the author's earnings. */
export const orderStatusBadge = (order: OrderT) => h("span", { class: `badge status-${order.status}` }, ORDER_STATUS_LABELS[order.status]);

/** The sales tax in the order's amount (" incl. 19 % tax (DE) €3.61, tax ID …"), or nothing without tax. */
export const orderTax = ({ tax, currency }: OrderT) =>
  tax &&
  h(
    "span",
    { class: "muted order-tax" },
    ` incl. ${tax.percentage === null ? "" : `${tax.percentage} % `}tax${tax.country ? ` (${tax.country})` : ""} ${formatMoney(tax.amount, currency)}`,
    tax.taxId ? `, tax ID ${tax.taxId}` : "",
  );

/** A coupon's part of the order (" CODE −$2.00 off"), or nothing without one. */
export const orderDiscount = (order: OrderT) =>
  order.discountAmount > 0 &&
  h("span", { class: "muted order-discount" }, ` ${order.couponCode ?? "Coupon"} −${formatMoney(order.discountAmount, order.currency)}`);

/** The order's items, each linking to its storefront page. */
export const orderItems = (order: OrderT) =>
  order.items.map((item, i) => [i > 0 && ", ", h("a", { href: storefrontItemUrl(item.itemSlug) }, item.itemName)]);

const REFUND_LABELS: Record<OrderT["refunds"][number]["status"], string> = {
  pending: "refund pending",
  succeeded: "refunded",
  failed: "refund failed",
  canceled: "refund canceled",
};

/** Each refund of the order (Earnings, the operators' Orders) and where it stands: "$10.00 refund failed (expired or canceled card)". */
export const refundStates = (order: OrderT) =>
  order.refunds.length > 0 &&
  h(
    "ul",
    { class: "refund-states", "aria-label": "Refunds" },
    ...order.refunds.map((refund) =>
      h(
        "li",
        { class: `refund-state refund-${refund.status}` },
        `${formatMoney(refund.amount, order.currency)} ${REFUND_LABELS[refund.status]}`,
        refund.failureReason && ` (${refund.failureReason.replaceAll("_", " ")})`,
      ),
    ),
  );
