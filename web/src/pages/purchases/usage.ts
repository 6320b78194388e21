/** The Usage section of Purchases: each metered subscription's usage this period and the prepaid credits left. */
import type { MeteredUsageT } from "../../../../shared/payments";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import { formatDate } from "../../format";
import { errorAlert } from "../../ui/alert";
import { section } from "../../ui/page";
import { dataTable, row } from "../../ui/table";
import { quantityOf } from "../../ui/usage-quantity";
import { storefrontItemUrl } from "../paths";

function usageRow(usage: MeteredUsageT): HTMLTableRowElement {
  return row(
    { "data-subscription-id": usage.subscriptionId },
    h("a", { href: storefrontItemUrl(usage.itemSlug) }, usage.itemName),
    h("span", { class: "nowrap" }, `${formatDate(usage.periodStart)} – ${formatDate(usage.periodEnd)}`),
    h("span", { class: "amount" }, quantityOf(usage.quantity, usage.unit)),
    h("span", { class: "amount" }, quantityOf(usage.creditsUsed, usage.unit)),
    h("span", { class: "amount" }, quantityOf(usage.quantity - usage.creditsUsed, usage.unit)),
    h("span", { class: "amount", "data-testid": "credits-left" }, quantityOf(usage.creditBalance, usage.unit)),
  );
}

/** The section, loaded; nothing when the buyer has no metered subscription running. */
export async function usageSection(signal: AbortSignal): Promise<HTMLElement | null> {
  try {
    const { data } = await unwrap(api.v1.me.usage.$get());
    if (signal.aborted || data.length === 0) return null;
    return section(
      "Usage",
      h(
        "p",
        { class: "muted" },
        "What your subscriptions priced by usage counted this billing period. Prepaid credits pay first; the rest is billed at the period's end.",
      ),
      dataTable({
        caption: "Usage this period",
        headers: ["Item", "Period", "Used", "Paid with credits", "Billed", "Credits left"],
        rows: data.map(usageRow),
        empty: "",
      }),
    );
  } catch (err) {
    return section("Usage", errorAlert(err));
  }
}
