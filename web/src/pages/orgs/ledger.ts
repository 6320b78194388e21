/** The Earnings page's ledger: every entry of the org, newest first, a page at a time, and its CSV export. */
import type { z } from "zod";
import type { LedgerEntry } from "../../../../shared/payments";
import { api } from "../../api/client";
import { asApiError } from "../../api/errors";
import { unwrap, unwrapBlob } from "../../api/unwrap";
import { h } from "../../dom";
import { formatDateTime, formatMoney } from "../../format";
import { errorAlert } from "../../ui/alert";
import { describeError } from "../../ui/messages";
import { saveBlob } from "../../ui/save-blob";
import { row } from "../../ui/table";
import { toast } from "../../ui/toast";

type Entry = z.infer<typeof LedgerEntry>;

const PAGE_SIZE = 50;

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

const entryRow = (e: Entry) =>
  row(
    { "data-entry-id": e.id },
    h("span", { class: "nowrap" }, formatDateTime(e.createdAt)),
    ENTRY_LABELS[e.type] ?? e.type,
    h("span", { class: "amount" }, formatMoney(e.amount, e.currency)),
    e.orderId ? h("code", {}, e.orderId) : "—",
  );

/** The ledger table with "Load more" and "Export CSV"; `reload` starts again from the newest entry. */
export function ledgerSection(o: { orgId: string; orgSlug: string; signal: AbortSignal }) {
  const tbody = h("tbody");
  const status = h("div", { class: "load-more" });
  const loadMore = h("button", { type: "button", class: "button" }, "Load more");
  let cursor: string | undefined;

  const load = async () => {
    loadMore.disabled = true;
    try {
      const page = await unwrap(
        api.v1.orgs[":orgId"].ledger.$get({
          param: { orgId: o.orgId },
          query: { limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) },
        }),
      );
      if (o.signal.aborted) return;
      tbody.append(...page.data.map(entryRow));
      cursor = page.nextCursor ?? undefined;
      status.replaceChildren(
        cursor ? loadMore : h("p", { class: "muted" }, tbody.childElementCount === 0 ? "Nothing booked yet." : "That is every entry."),
      );
    } catch (err) {
      status.replaceChildren(errorAlert(err), loadMore);
    } finally {
      loadMore.disabled = false;
    }
  };
  const reload = async () => {
    cursor = undefined;
    tbody.replaceChildren();
    await load();
  };
  loadMore.addEventListener("click", load);

  // The export needs the Authorization header, so it is fetched and handed to the browser as a file.
  const exportCsv = h("button", { type: "button", class: "button" }, "Export CSV");
  exportCsv.addEventListener("click", async () => {
    exportCsv.disabled = true;
    try {
      const csv = await unwrapBlob(api.v1.orgs[":orgId"].ledger.csv.$get({ param: { orgId: o.orgId } }));
      saveBlob(csv, `plaza-ledger-${o.orgSlug}-${new Date().toISOString().slice(0, 10)}.csv`);
    } catch (err) {
      toast(describeError(asApiError(err)), "error");
    } finally {
      exportCsv.disabled = false;
    }
  });

  const node = h(
    "div",
    { class: "stack" },
    h(
      "p",
      {},
      exportCsv,
      " ",
      h("span", { class: "muted" }, "Every entry, for your accountant: date (UTC), type, amount, currency, order and reference."),
    ),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        {},
        h("caption", { class: "visually-hidden" }, "Ledger entries, newest first"),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["When", "Entry", "Amount", "Order"].map((t) => h("th", { scope: "col" }, t)),
          ),
        ),
        tbody,
      ),
    ),
    status,
  );
  return { node, load, reload };
}
