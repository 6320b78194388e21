import { z } from "zod";
import type { BalanceByCurrency, LedgerEntry, OrderT } from "../../../../shared/payments";
import { roleAtLeast } from "../../../../shared/roles";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h, uniqueId } from "../../dom";
import { formatDateTime, formatMoney } from "../../format";
import type { PageContext } from "../../router";
import { activeMembership } from "../../state/me";
import { errorAlert } from "../../ui/alert";
import { formAlert, formValue, handleSubmit, submitButton, textField } from "../../ui/form";
import { noOrgContent } from "../../ui/no-org";
import { orderDiscount, orderItems, orderStatusBadge, orderTax } from "../../ui/orders";
import { pageHeader, section } from "../../ui/page";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";
import { PAYOUTS_PATH } from "../paths";
import { openDisputes } from "./disputes";

const ORDERS_PAGE_SIZE = 25;

type Balance = z.infer<typeof BalanceByCurrency>;
type Entry = z.infer<typeof LedgerEntry>;

const money = (amount: number, currency: string) => h("span", { class: "amount" }, formatMoney(amount, currency));

const ENTRY_LABELS: Record<Entry["type"], string> = {
  sale: "Sale",
  tax: "Tax collected",
  platform_fee: "Platform fee",
  refund: "Refund",
  fee_refund: "Fee refunded",
  payout: "Payout",
  dispute: "Dispute",
  dispute_fee: "Dispute fee",
};

const REFUND_LABELS: Record<OrderT["refunds"][number]["status"], string> = {
  pending: "refund pending",
  succeeded: "refunded",
  failed: "refund failed",
  canceled: "refund canceled",
};

/** Each refund of the order and where it stands: "$10.00 refund failed (expired or canceled card)". */
const refundStates = (order: OrderT) =>
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

/** One dialog for the page, filled for the order whose Refund button was pressed. */
function refundDialog(orgId: string, onRefunded: () => Promise<void>) {
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
        const refund = await unwrap(
          api.v1.orgs[":orgId"].orders[":orderId"].refund.$post({
            param: { orgId, orderId: order.id },
            header: { "idempotency-key": idempotencyKey },
            json: body,
          }),
        );
        dialog.close();
        toast(`Refund of ${formatMoney(refund.amount, refund.currency)} requested. The order updates when Stripe confirms it.`);
        await onRefunded();
      },
    });
    dialog.replaceChildren(h("h2", { id: titleId }, "Refund a sale"), form);
    dialog.showModal();
    form.querySelector<HTMLInputElement>("input[name=amount]")?.focus();
  };
  return { dialog, open };
}

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

function ledgerTable(entries: Entry[]): HTMLElement {
  return dataTable({
    caption: "Latest ledger entries",
    headers: ["When", "Entry", "Amount", "Order"],
    rows: entries.map((e) =>
      row(
        {},
        h("span", { class: "nowrap" }, formatDateTime(e.createdAt)),
        ENTRY_LABELS[e.type] ?? e.type,
        money(e.amount, e.currency),
        e.orderId ? h("code", {}, e.orderId) : "—",
      ),
    ),
    empty: "Nothing booked yet.",
  });
}

/**
 * `/dashboard/earnings`: the active org's balance per currency, its latest ledger entries, and
 * its orders, where admins can refund a sale in full or in part.
 */
export async function earningsPage({ signal }: PageContext): Promise<Node> {
  const org = activeMembership();
  if (!org) return noOrgContent("Earnings", "Create an org to sell items.");
  const orgId = org.orgId;
  const isAdmin = roleAtLeast(org.role, "admin");

  const balances = h("div");
  const ledger = h("div");
  const disputes = openDisputes(orgId, signal);
  const loadEarnings = async () => {
    try {
      const earnings = await unwrap(api.v1.orgs[":orgId"].earnings.$get({ param: { orgId } }));
      if (signal.aborted) return;
      balances.replaceChildren(balancesTable(earnings.balances));
      ledger.replaceChildren(ledgerTable(earnings.recent));
    } catch (err) {
      balances.replaceChildren(errorAlert(err));
    }
  };

  const tbody = h("tbody");
  const status = h("div", { class: "load-more" });
  const loadMore = h("button", { type: "button", class: "button" }, "Load more");
  let cursor: string | undefined;
  const refunds = refundDialog(orgId, async () => {
    await Promise.all([reloadOrders(), loadEarnings()]);
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
  await Promise.all([loadEarnings(), loadOrders(), disputes.load()]);

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
    section("Latest ledger entries", ledger),
    refunds.dialog,
  );
}
