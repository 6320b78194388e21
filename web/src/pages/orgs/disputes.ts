import type { DisputeT } from "../../../../shared/disputes";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import { formatDate, formatMoney } from "../../format";
import { errorAlert } from "../../ui/alert";
import { dataTable, row } from "../../ui/table";

const respondBy = (d: DisputeT) =>
  d.evidenceDueBy === null
    ? "—"
    : h("span", { class: `nowrap${d.evidenceDueBy < Date.now() ? " overdue" : ""}` }, formatDate(d.evidenceDueBy));

function openDisputesTable(disputes: DisputeT[]): HTMLElement {
  return dataTable({
    caption: "Open disputes",
    headers: ["Opened", "Order", "Amount", "Reason", "Respond by", "Status", ""],
    rows: disputes.map((d) =>
      row(
        { "data-dispute-id": d.id },
        h("span", { class: "nowrap" }, formatDate(d.createdAt)),
        h("span", {}, d.itemName ?? "", " ", h("code", {}, d.orderId)),
        h("span", { class: "amount" }, formatMoney(d.amount, d.currency)),
        d.reason.replaceAll("_", " "),
        respondBy(d),
        h("span", { class: "badge status-disputed" }, d.status.replaceAll("_", " ")),
        h("a", { href: d.respondUrl, target: "_blank", rel: "noopener" }, "Respond in Stripe"),
      ),
    ),
    empty: "No open disputes.",
  });
}

/**
 * The org's open disputes (chargebacks) for the Earnings page: what is disputed, why, and by when
 * to answer in Stripe. The buyer's access stays frozen until each is decided.
 */
export function openDisputes(orgId: string, signal: AbortSignal) {
  const node = h("div");
  const load = async () => {
    try {
      const { data } = await unwrap(api.v1.orgs[":orgId"].disputes.$get({ param: { orgId }, query: { state: "open" } }));
      if (!signal.aborted) node.replaceChildren(openDisputesTable(data));
    } catch (err) {
      node.replaceChildren(errorAlert(err));
    }
  };
  return { node, load };
}
