import type { z } from "zod";
import type { BalanceByCurrency, OrderT } from "../../../../shared/payments";
import { roleAtLeast } from "../../../../shared/roles";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import { formatDateTime, formatMoney } from "../../format";
import type { PageContext } from "../../router";
import { activeMembership } from "../../state/me";
import { errorAlert } from "../../ui/alert";
import { noOrgContent } from "../../ui/no-org";
import { orderDiscount, orderItems, orderStatusBadge, orderTax, refundStates } from "../../ui/orders";
import { pageHeader, section } from "../../ui/page";
import { refundDialog } from "../../ui/refund-dialog";
import { dataTable, row } from "../../ui/table";
import { PAYOUTS_PATH } from "../paths";
import { openDisputes } from "./disputes";
import { ledgerSection } from "./ledger";

const ORDERS_PAGE_SIZE = 25;

type Balance = z.infer<typeof BalanceByCurrency>;

const money = (amount: number, currency: string) => h("span", { class: "amount" }, formatMoney(amount, currency));

function balancesTable(balances: Balance[]): HTMLElement {
  return dataTable({
    caption: "Balance per currency",
    headers: ["Currency", "Sales", "Tax collected", "Platform fees", "Refunds", "Payouts", "Disputes", "Balance"],
    rows: balances.map((b) =>
      row(
        { "data-currency": b.currency },
        b.currency.toUpperCase(),
        money(b.sales, b.currency),
        money(b.tax, b.currency),
        money(b.platformFees, b.currency),
        money(b.refunds, b.currency),
        money(b.payouts, b.currency),
        money(b.disputes, b.currency),
        h("strong", {}, money(b.balance, b.currency)),
      ),
    ),
    empty: "No sales yet.",
  });
}

/**
 * `/dashboard/earnings`: the active org's balance per currency, its whole ledger (paged, exported as CSV), and
 * its orders, where admins can refund a sale in full or in part.
 */
export async function earningsPage({ signal }: PageContext): Promise<Node> {
  const org = activeMembership();
  if (!org) return noOrgContent("Earnings", "Create an org to sell items.");
  const orgId = org.orgId;
  const isAdmin = roleAtLeast(org.role, "admin");

  const balances = h("div");
  const ledger = ledgerSection({ orgId, orgSlug: org.slug, signal });
  const disputes = openDisputes(orgId, signal);
  const loadEarnings = async () => {
    try {
      const earnings = await unwrap(api.v1.orgs[":orgId"].earnings.$get({ param: { orgId } }));
      if (signal.aborted) return;
      balances.replaceChildren(balancesTable(earnings.balances));
    } catch (err) {
      balances.replaceChildren(errorAlert(err));
    }
  };

  const tbody = h("tbody");
  const status = h("div", { class: "load-more" });
  const loadMore = h("button", { type: "button", class: "button" }, "Load more");
  let cursor: string | undefined;
  const refunds = refundDialog({
    send: (order, json, idempotencyKey) =>
      unwrap(
        api.v1.orgs[":orgId"].orders[":orderId"].refund.$post({
          param: { orgId, orderId: order.id },
          header: { "idempotency-key": idempotencyKey },
          json,
        }),
      ),
    onRefunded: async () => {
      await Promise.all([reloadOrders(), loadEarnings(), ledger.reload()]);
    },
  });

  const orderRow = (order: OrderT) => {
    const refundable = isAdmin && order.status !== "refunded";
    return row(
      { "data-order-id": order.id },
      h("span", { class: "nowrap" }, formatDateTime(order.createdAt)),
      orderItems(order),
      h("span", { class: "wrap-anywhere" }, order.email),
      h("span", {}, money(order.amount, order.currency), orderDiscount(order), orderTax(order)),
      money(order.feeAmount, order.currency),
      h(
        "span",
        {},
        orderStatusBadge(order),
        order.amountRefunded > 0 && h("span", { class: "muted" }, ` ${formatMoney(order.amountRefunded, order.currency)} back`),
        refundStates(order),
      ),
      refundable
        ? h(
            "button",
            { type: "button", class: "button small danger", "aria-label": `Refund order ${order.id}`, onclick: () => refunds.open(order) },
            "Refund",
          )
        : "",
    );
  };

  const loadOrders = async () => {
    loadMore.disabled = true;
    try {
      const page = await unwrap(
        api.v1.orgs[":orgId"].orders.$get({ param: { orgId }, query: { limit: String(ORDERS_PAGE_SIZE), ...(cursor ? { cursor } : {}) } }),
      );
      if (signal.aborted) return;
      tbody.append(...page.data.map(orderRow));
      cursor = page.nextCursor ?? undefined;
      status.replaceChildren(
        cursor ? loadMore : h("p", { class: "muted" }, tbody.childElementCount === 0 ? "No orders yet." : "That is every order."),
      );
    } catch (err) {
      status.replaceChildren(errorAlert(err), loadMore);
    } finally {
      loadMore.disabled = false;
    }
  };
  const reloadOrders = async () => {
    cursor = undefined;
    tbody.replaceChildren();
    await loadOrders();
  };
  loadMore.addEventListener("click", loadOrders);
  await Promise.all([loadEarnings(), loadOrders(), disputes.load(), ledger.load()]);

  const ordersTable = h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, `Orders of ${org.name}`),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["When", "Items", "Buyer", "Amount", "Platform fee", "Status", ""].map((t) => h("th", { scope: "col" }, t)),
        ),
      ),
      tbody,
    ),
  );
  return h(
    "div",
    { class: "stack" },
    pageHeader(
      `Earnings · ${org.name}`,
      "What your sales brought in after Plaza's fee, refunds and payouts. Payouts themselves are managed on ",
      h("a", { href: PAYOUTS_PATH }, "Payouts"),
      ".",
    ),
    section("Balance", balances),
    section("Open disputes", disputes.node),
    section("Orders", ordersTable, status, !isAdmin && h("p", { class: "muted" }, "Only admins and owners can refund.")),
    section("Ledger", ledger.node),
    refunds.dialog,
  );
}
