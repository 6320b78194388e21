import type { ItemT } from "../../../../shared/catalog";
import { h } from "../../dom";

const STATUS_LABELS: Record<ItemT["status"], string> = {
  draft: "Draft",
  published: "Published",
  unlisted: "Unlisted",
  removed: "Removed by an operator",
};

/** An item's status as a badge (a removed item's reason is shown where the item is). */
export const itemStatusBadge = (item: Pick<ItemT, "status">) =>
  h("span", { class: `badge status-${item.status}` }, STATUS_LABELS[item.status]);
