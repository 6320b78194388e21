/**
 * `/dashboard/items`: the active org's items in the author studio, with their status (an
 * operator's removal with its reason), price, newest version per channel, rating, downloads and
 * sales of the last 30 days; filtered by status (`?status=`). Admins and owners add items. A
 * banner says when the org is disconnected from Stripe (its paid items are off sale).
 */
import { ALL_ITEM_STATUSES, type AuthorItemT } from "../../../../shared/catalog";
import { roleAtLeast } from "../../../../shared/roles";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h, replace } from "../../dom";
import { formatPrice } from "../../format";
import { navigate, type PageContext } from "../../router";
import { activeMembership } from "../../state/me";
import { alertBox } from "../../ui/alert";
import { mediaImg } from "../../ui/media-image";
import { noOrgContent } from "../../ui/no-org";
import { pageHeader, section } from "../../ui/page";
import { dataTable, row } from "../../ui/table";
import { ITEMS_PATH, PAYOUTS_PATH, studioItemPath } from "../paths";
import { newItemForm } from "./new-item";
import { loadPlatformFee } from "./platform-fee";
import { itemStatusBadge } from "./status";

type Status = (typeof ALL_ITEM_STATUSES)[number];
const STATUS_FILTERS: readonly [Status | "", string][] = [
  ["", "All statuses"],
  ["draft", "Draft"],
  ["published", "Published"],
  ["unlisted", "Unlisted"],
  ["removed", "Removed by an operator"],
];

const count = (n: number) => new Intl.NumberFormat().format(n);

function statusCell(item: AuthorItemT) {
  return h(
    "div",
    {},
    itemStatusBadge(item),
    item.moderationReason &&
      h(
        "p",
        { class: "hint moderation-reason" },
        item.status === "removed" ? "Reason: " : "An operator unlisted it: ",
        item.moderationReason,
      ),
  );
}

function versionsCell({ latestVersions: v }: AuthorItemT) {
  if (!v.stable && !v.beta) return h("span", { class: "muted" }, "No version yet");
  return h(
    "span",
    { class: "channel-versions" },
    v.stable && h("span", { class: "nowrap" }, `stable ${v.stable}`),
    v.stable && v.beta && h("br"),
    v.beta && h("span", { class: "nowrap" }, `beta ${v.beta}`),
  );
}

function ratingCell(item: AuthorItemT) {
  if (item.ratingAverage === null) return h("span", { class: "muted" }, "No reviews");
  return `★ ${item.ratingAverage.toFixed(1)} (${count(item.reviewCount)})`;
}

function itemsTable(items: AuthorItemT[], filtered: boolean): HTMLElement {
  return dataTable({
    caption: "Items",
    headers: ["", "Item", "Status", "Price", "Latest version", "Rating", "Downloads", "Sales (30 days)"],
    rows: items.map((item) =>
      row(
        { "data-item-id": item.id, "data-item-slug": item.slug },
        (item.icon && mediaImg(item.icon, { class: "item-icon", alt: "", width: 32, height: 32 })) ??
          h("span", { class: "item-icon placeholder", "aria-hidden": "true" }, item.name.slice(0, 1).toUpperCase()),
        h("div", {}, h("a", { href: studioItemPath(item.id, "details") }, item.name), h("p", { class: "hint" }, item.slug)),
        statusCell(item),
        formatPrice(item.pricing),
        versionsCell(item),
        ratingCell(item),
        count(item.downloads),
        count(item.salesLast30Days),
      ),
    ),
    empty: filtered ? "No items with this status." : "No items yet.",
  });
}

export async function studioItemsPage({ query, signal }: PageContext): Promise<Node> {
  const org = activeMembership();
  if (!org) return noOrgContent("Items", "Items belong to an org: create one to start selling.");
  const { orgId } = org;
  const canEdit = roleAtLeast(org.role, "admin");
  const status = ALL_ITEM_STATUSES.find((s) => s === query.get("status"));

  const [{ data }, fee, connect] = await Promise.all([
    unwrap(api.v1.orgs[":orgId"].studio.items.$get({ param: { orgId }, query: status ? { status } : {} })),
    canEdit ? loadPlatformFee() : null,
    // Only for the banner: the list shows without it if the payouts status cannot be read.
    unwrap(api.v1.orgs[":orgId"].connect.$get({ param: { orgId } })).catch(() => null),
  ]);

  const filter = h(
    "select",
    {
      id: "status-filter",
      name: "status",
      onchange: (e: Event) => {
        const chosen = (e.target as HTMLSelectElement).value;
        navigate(chosen ? `${ITEMS_PATH}?status=${chosen}` : ITEMS_PATH);
      },
    },
    STATUS_FILTERS.map(([value, label]) => h("option", { value, selected: value === (status ?? "") }, label)),
  );

  const formSlot = h("div");
  const newItemButton = h("button", { type: "button", class: "button primary", "aria-expanded": "false" }, "New item");
  const closeForm = () => {
    formSlot.replaceChildren();
    newItemButton.setAttribute("aria-expanded", "false");
    newItemButton.focus();
  };
  newItemButton.addEventListener("click", () => {
    if (signal.aborted || formSlot.childElementCount > 0) return;
    replace(formSlot, section("New item", newItemForm(orgId, fee, closeForm)));
    newItemButton.setAttribute("aria-expanded", "true");
    formSlot.querySelector<HTMLInputElement>('input[name="slug"]')?.focus();
  });

  return h(
    "div",
    { class: "stack" },
    pageHeader(`Items · ${org.name}`, "Everything the org sells or gives away on Plaza, in every status."),
    // Disconnected from Stripe: the storefront shows paid items as not available for purchase.
    connect?.disconnected &&
      alertBox(
        "error",
        "Disconnected from Stripe: your paid items are not available for purchase. ",
        h("a", { href: PAYOUTS_PATH }, "Reconnect on Payouts"),
      ),
    canEdit
      ? h("div", { class: "toolbar" }, newItemButton)
      : alertBox("info", h("p", {}, "You are a member of this org: you can see its items; admins and owners edit them.")),
    formSlot,
    h(
      "section",
      { class: "card", "aria-label": "Items" },
      h("div", { class: "field inline-filter" }, h("label", { for: "status-filter" }, "Status"), filter),
      itemsTable(data, status !== undefined),
    ),
  );
}
