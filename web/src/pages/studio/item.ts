/**
 * `/dashboard/items/:itemId[/:tab]`: one of the active org's items in the author studio. The header
 * (name, status, where it is on the storefront), a tab bar, and the chosen tab (tab-list.ts).
 */
import type { ItemT } from "../../../../shared/catalog";
import { roleAtLeast } from "../../../../shared/roles";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import type { PageContext } from "../../router";
import { activeMembership } from "../../state/me";
import { errorAlert } from "../../ui/alert";
import { noOrgContent } from "../../ui/no-org";
import { pageHeader } from "../../ui/page";
import { ITEMS_PATH, storefrontItemUrl, studioItemPath } from "../paths";
import { itemStatusBadge } from "./status";
import { STUDIO_TABS } from "./tab-list";

export async function studioItemPage({ params, signal }: PageContext): Promise<Node> {
  const org = activeMembership();
  if (!org) return noOrgContent("Item", "Items belong to an org.");
  const { orgId } = org;
  const { itemId } = params as { itemId: string };
  const tab = STUDIO_TABS.find((t) => t.id === params.tab) ?? STUDIO_TABS[0]!;
  const canEdit = roleAtLeast(org.role, "admin");

  const load = () => unwrap(api.v1.orgs[":orgId"].items[":itemId"].$get({ param: { orgId, itemId } }));
  let item: ItemT = await load();
  const header = h("div");
  const body = h("div", { class: "studio-tab", role: "tabpanel", "aria-label": tab.label });

  const renderHeader = () =>
    replace(
      header,
      h("p", { class: "breadcrumbs" }, h("a", { href: ITEMS_PATH }, "Items")),
      pageHeader(
        item.name,
        itemStatusBadge(item),
        " ",
        item.status === "published" || item.status === "unlisted"
          ? h("a", { href: storefrontItemUrl(item.slug) }, "View on the storefront")
          : "Not on the storefront until it is published.",
      ),
      h(
        "nav",
        { class: "tabs", "aria-label": "Item" },
        ...STUDIO_TABS.map((t) =>
          h("a", { href: studioItemPath(item.id, t.id), "aria-current": t.id === tab.id ? "page" : undefined }, t.label),
        ),
      ),
    );

  const reload = async () => {
    try {
      item = await load();
      if (signal.aborted) return;
      renderHeader();
      await renderTab();
    } catch (err) {
      replace(body, errorAlert(err));
    }
  };
  const renderTab = async () => replace(body, await tab.render({ orgId, item, role: org.role, canEdit, signal, reload }));

  renderHeader();
  await renderTab();
  return h("div", { class: "studio" }, header, body);
}
