/**
 * `/operator/moderation`: the queue of reported items and reviews. An operator unlists the item
 * (or restores it) with a reason the author is sent, or dismisses the report; either resolves it.
 */
import type { ModerationReportT } from "../../../../shared/operator";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import { formatDateTime } from "../../format";
import type { PageContext } from "../../router";
import { errorAlert } from "../../ui/alert";
import { busy } from "../../ui/busy";
import { section } from "../../ui/page";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";
import { storefrontItemUrl } from "../paths";
import { REPORT_REASON_LABELS } from "../reports/reasons";
import { operatorPage } from "./layout";
import { loadMoreButton } from "./load-more";
import { reasonDialog } from "./reason-dialog";

type Action = "unlist" | "restore";
const ACTION_LABELS: Record<Action, string> = { unlist: "Unlist", restore: "Restore" };

const reasonText = (report: ModerationReportT) =>
  report.kind === "item" ? (REPORT_REASON_LABELS[report.reason as keyof typeof REPORT_REASON_LABELS] ?? report.reason) : report.reason;

export async function operatorModerationPage({ query, signal }: PageContext): Promise<Node> {
  const status = query.get("status") === "resolved" ? "resolved" : "open";
  const listBody = h("div");
  let reports: ModerationReportT[] = [];

  const load = async (cursor?: string) => {
    try {
      const page = await unwrap(api.v1.operator.reports.$get({ query: { status, cursor } }));
      if (signal.aborted) return;
      reports = cursor ? [...reports, ...page.data] : page.data;
      const more = page.nextCursor;
      replace(listBody, reportsTable(reports), more && loadMoreButton(() => load(more)));
    } catch (err) {
      replace(listBody, errorAlert(err));
    }
  };
  const dialog = reasonDialog();
  const moderate = (report: ModerationReportT, action: Action) =>
    dialog.open({
      title: `${ACTION_LABELS[action]} ${report.itemName}`,
      hint: "The author is sent this reason; it is kept in the audit log.",
      submitLabel: ACTION_LABELS[action],
      maxLength: 1000,
      send: async (reason) => {
        await unwrap(api.v1.operator.items[":itemId"].moderation.$post({ param: { itemId: report.itemId }, json: { action, reason } }));
        toast(action === "unlist" ? `${report.itemName} is unlisted.` : `${report.itemName} is listed again.`);
        await load();
      },
    });

  // Unlist and Restore act on the item, so they answer item reports; a reported review is dismissed.
  const actions = (report: ModerationReportT) => {
    const button = (label: string, name: string, onclick: () => void) =>
      h("button", { type: "button", class: "button small", "aria-label": name, onclick }, label);
    if (report.status !== "open")
      return report.kind === "item" && button("Restore", `Restore ${report.itemName}`, () => moderate(report, "restore"));
    const about = report.kind === "item" ? report.itemName : `a review of ${report.itemName}`;
    const dismiss = button("Dismiss", `Dismiss the report on ${about}`, () =>
      busy(dismiss, async () => {
        await unwrap(api.v1.operator.reports[":reportId"].dismiss.$post({ param: { reportId: report.id } }));
        toast(`The report on ${about} is dismissed.`);
        await load();
      }),
    );
    return h(
      "div",
      { class: "row-actions" },
      report.kind === "item" && button("Unlist", `Unlist ${report.itemName}`, () => moderate(report, "unlist")),
      dismiss,
    );
  };

  const reportsTable = (list: ModerationReportT[]) =>
    dataTable({
      caption: status === "open" ? "Open reports" : "Resolved reports",
      headers: ["Item", "Reported", "Reason", "Details", "Reporters", "When", ""],
      rows: list.map((r) =>
        row(
          { "data-report-id": r.id, "data-item-slug": r.itemSlug },
          h("a", { href: storefrontItemUrl(r.itemSlug) }, r.itemName),
          r.kind === "item" ? "The item" : "A review",
          reasonText(r),
          r.details ? h("span", { class: "wrap-anywhere" }, r.details) : h("span", { class: "muted" }, "—"),
          String(r.reporterCount),
          h("span", { class: "nowrap" }, formatDateTime(r.createdAt)),
          actions(r),
        ),
      ),
      empty: status === "open" ? "No open reports." : "No resolved reports.",
    });

  await load();
  return operatorPage(
    "Moderation",
    "Items and reviews people reported. Unlisting takes the item out of the storefront and search; its author is sent your reason.",
    h(
      "nav",
      { class: "inline-filter", "aria-label": "Reports" },
      h("a", { href: "?status=open", "aria-current": status === "open" ? "page" : undefined }, "Open"),
      " · ",
      h("a", { href: "?status=resolved", "aria-current": status === "resolved" ? "page" : undefined }, "Resolved"),
    ),
    section(status === "open" ? "Open reports" : "Resolved reports", listBody),
    dialog.dialog,
  );
}
