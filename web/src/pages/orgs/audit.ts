import type { AuditEventT } from "../../../../shared/api";
import { roleAtLeast } from "../../../../shared/roles";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import { formatDateTime } from "../../format";
import type { PageContext } from "../../router";
import { cachedMe, myRoleIn } from "../../state/me";
import { alertBox, errorAlert } from "../../ui/alert";
import { pageHeader, section } from "../../ui/page";
import { row } from "../../ui/table";
import { notFoundContent } from "../not-found";

const PAGE_SIZE = 25;

function details(metadata: Record<string, unknown>): string {
  return Object.entries(metadata)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
}

function eventRow(e: AuditEventT): HTMLTableRowElement {
  return row(
    {},
    h("time", { class: "nowrap", datetime: new Date(e.createdAt).toISOString() }, formatDateTime(e.createdAt)),
    h("code", {}, e.action),
    h("span", { class: "wrap-anywhere" }, e.actorEmail ?? e.actorUserId ?? "—"),
    e.targetType ? h("span", {}, e.targetType, h("br"), h("code", { class: "muted" }, e.targetId ?? "")) : "—",
    h("span", { class: "nowrap" }, e.ip ?? "—"),
    h("span", { class: "wrap-anywhere" }, details(e.metadata) || "—"),
  );
}

export async function auditPage({ params, signal }: PageContext): Promise<Node> {
  const orgId = params.orgId ?? "";
  const org = cachedMe()?.orgs.find((o) => o.orgId === orgId);
  const role = myRoleIn(orgId);
  if (!org || !role) return notFoundContent("Org not found", "You are not a member of this org, or it does not exist.");
  const header = pageHeader(`Audit log · ${org.name}`, "Security-relevant events of this org and its members, newest first.");
  if (!roleAtLeast(role, "admin"))
    return h("div", { class: "stack" }, header, alertBox("info", "Only admins and owners can read the audit log."));

  const tbody = h("tbody");
  const status = h("div", { class: "load-more" });
  const loadMore = h("button", { type: "button", class: "button" }, "Load more");
  let cursor: string | undefined;

  const loadPage = async () => {
    loadMore.disabled = true;
    try {
      const page = await unwrap(
        api.v1.orgs[":orgId"]["audit-log"].$get({ param: { orgId }, query: { limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) } }),
      );
      if (signal.aborted) return;
      tbody.append(...page.data.map(eventRow));
      cursor = page.nextCursor ?? undefined;
      status.replaceChildren(
        cursor ? loadMore : h("p", { class: "muted" }, tbody.childElementCount === 0 ? "No events yet." : "That is everything."),
      );
    } catch (err) {
      status.replaceChildren(errorAlert(err), loadMore);
    } finally {
      loadMore.disabled = false;
    }
  };
  loadMore.addEventListener("click", loadPage);
  await loadPage();

  const table = h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, `Audit log of ${org.name}`),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["When", "Action", "Actor", "Target", "IP address", "Details"].map((t) => h("th", { scope: "col" }, t)),
        ),
      ),
      tbody,
    ),
  );
  return h("div", { class: "stack" }, header, section("Events", table, status));
}
