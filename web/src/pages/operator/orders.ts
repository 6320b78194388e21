/**
 * `/operator/orders`: find any order by the buyer's e-mail, its id or a Stripe id (payment intent,
 * checkout session, charge), with what it entitles; refund it in full or in part, grant one of its
 * items to the buyer, or revoke an entitlement. Every action is audited with the operator's id.
 */
import type { EntitlementT } from "../../../../shared/catalog";
import { OperatorOrdersQuery, type OperatorOrderT } from "../../../../shared/operator";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import { formatDateTime, formatMoney } from "../../format";
import { navigate, type PageContext } from "../../router";
import { errorAlert } from "../../ui/alert";
import { formAlert, formValue, handleSubmit, submitButton, textField } from "../../ui/form";
import { orderItems, orderStatusBadge, refundStates } from "../../ui/orders";
import { section } from "../../ui/page";
import { refundDialog } from "../../ui/refund-dialog";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";
import { OPERATOR_ORDERS_PATH } from "../paths";
import { operatorPage } from "./layout";
import { reasonDialog } from "./reason-dialog";

const stripeIds = (order: OperatorOrderT) =>
  [
    ["Payment intent", order.stripePaymentIntentId],
    ["Checkout session", order.stripeCheckoutSessionId],
    ["Charge", order.stripeChargeId],
  ].flatMap(([label, id]) => (id ? [h("div", {}, `${label}: `, h("code", {}, id))] : []));

export async function operatorOrdersPage({ query, signal }: PageContext): Promise<Node> {
  const q = query.get("q")?.trim() ?? "";
  const results = h("div", { class: "stack" });
  const reasons = reasonDialog();
  const refunds = refundDialog({
    send: (order, json, idempotencyKey) =>
      unwrap(
        api.v1.operator.orders[":orderId"].refund.$post({
          param: { orderId: order.id },
          header: { "idempotency-key": idempotencyKey },
          json,
        }),
      ),
    onRefunded: () => search(),
  });

  const itemName = (order: OperatorOrderT, itemId: string) => order.items.find((i) => i.itemId === itemId)?.itemName ?? itemId;

  const revoke = (order: OperatorOrderT, e: EntitlementT) =>
    reasons.open({
      title: `Revoke ${itemName(order, e.itemId)}`,
      intro: `The buyer ${order.email} loses access; their rating leaves the item's average.`,
      hint: "Kept in the audit log with your id.",
      submitLabel: "Revoke",
      maxLength: 500,
      send: async (reason) => {
        await unwrap(api.v1.operator.entitlements[":entitlementId"].revoke.$post({ param: { entitlementId: e.id }, json: { reason } }));
        toast(`${itemName(order, e.itemId)} is revoked from ${order.email}.`);
        await search();
      },
    });

  const grant = (order: OperatorOrderT, item: OperatorOrderT["items"][number]) =>
    reasons.open({
      title: `Grant ${item.itemName}`,
      intro: `${order.email} gets ${item.itemName} as a gift from Plaza (not a purchase: it does not let them review).`,
      hint: "Kept in the audit log with your id.",
      submitLabel: "Grant",
      maxLength: 500,
      send: async (reason) => {
        await unwrap(api.v1.operator.entitlements.$post({ json: { userId: order.userId, itemId: item.itemId, reason } }));
        toast(`${item.itemName} is granted to ${order.email}.`);
        await search();
      },
    });

  const entitlementsTable = (order: OperatorOrderT) =>
    dataTable({
      caption: `Entitlements of order ${order.id}`,
      headers: ["Item", "Source", "Status", "Expires", ""],
      rows: order.entitlements.map((e) =>
        row(
          { "data-entitlement-id": e.id },
          itemName(order, e.itemId),
          e.source,
          h("span", { class: `badge status-${e.status}` }, e.status),
          e.expiresAt === null ? h("span", { class: "muted" }, "Never") : formatDateTime(e.expiresAt),
          e.status === "active" &&
            h(
              "button",
              {
                type: "button",
                class: "button small danger",
                "aria-label": `Revoke ${itemName(order, e.itemId)}`,
                onclick: () => revoke(order, e),
              },
              "Revoke",
            ),
        ),
      ),
      empty: "This order entitles nothing.",
    });

  const orderCard = (order: OperatorOrderT) =>
    h(
      "article",
      { class: "card stack", "aria-label": `Order ${order.id}`, "data-order-id": order.id },
      h("h3", {}, "Order ", h("code", {}, order.id), " · ", orderItems(order)),
      h(
        "p",
        {},
        `${formatDateTime(order.createdAt)} · ${order.email} · ${formatMoney(order.amount, order.currency)} `,
        orderStatusBadge(order),
        order.amountRefunded > 0 && h("span", { class: "muted" }, ` ${formatMoney(order.amountRefunded, order.currency)} back`),
      ),
      refundStates(order),
      h("div", { class: "muted small" }, stripeIds(order)),
      entitlementsTable(order),
      h(
        "div",
        { class: "row-actions" },
        order.status !== "refunded" &&
          h(
            "button",
            { type: "button", class: "button small danger", "aria-label": `Refund order ${order.id}`, onclick: () => refunds.open(order) },
            "Refund",
          ),
        order.items.map((item) =>
          h("button", { type: "button", class: "button small", onclick: () => grant(order, item) }, `Grant ${item.itemName}`),
        ),
      ),
    );

  async function search(): Promise<void> {
    if (!q) return;
    try {
      const { data } = await unwrap(api.v1.operator.orders.$get({ query: { q } }));
      if (signal.aborted) return;
      replace(results, data.length === 0 ? h("p", { class: "empty" }, `No order matches “${q}”.`) : data.map(orderCard));
    } catch (err) {
      replace(results, errorAlert(err));
    }
  }

  // The search is the page's address (?q=), so a result can be reloaded and linked to.
  const form = h(
    "form",
    { class: "inline-form", role: "search", "aria-label": "Find orders" },
    textField({
      name: "q",
      label: "E-mail, order id or Stripe id",
      type: "search",
      value: q,
      required: true,
      hint: "A payment intent (pi_…), checkout session (cs_…) or charge (ch_…).",
    }),
    formAlert(),
    submitButton("Search"),
  );
  handleSubmit(form, {
    schema: OperatorOrdersQuery,
    read: (f) => ({ q: formValue(f, "q") }),
    submit: async (value) => navigate(`${OPERATOR_ORDERS_PATH}?q=${encodeURIComponent(value.q)}`),
  });

  await search();
  return operatorPage(
    "Orders",
    "Find an order to refund it, grant its items or revoke what it entitles. Every action is audited with your id.",
    section("Search", form),
    q && section("Results", results),
    refunds.dialog,
    reasons.dialog,
  );
}
