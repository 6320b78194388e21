/**
 * The studio's Reviews tab: the item's reviews, newest first, counted or not. Admins reply (one
 * public reply each, editable) and report a review to the operators; members read.
 */
import { api } from "../../../api/client";
import { unwrap } from "../../../api/unwrap";
import { h } from "../../../dom";
import { errorAlert } from "../../../ui/alert";
import { reviewCard } from "../review-card";
import type { StudioTab, StudioTabContext } from "../tabs";

const PAGE_SIZE = 20;

async function render({ orgId, item, canEdit, signal }: StudioTabContext): Promise<Node> {
  const list = h("div", { class: "stack review-list" });
  const status = h("div", { class: "load-more" });
  const loadMore = h("button", { type: "button", class: "button" }, "Load more");
  let cursor: string | undefined;
  const load = async () => {
    loadMore.disabled = true;
    try {
      const page = await unwrap(
        api.v1.orgs[":orgId"].items[":itemId"].reviews.$get({
          param: { orgId, itemId: item.id },
          query: { limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) },
        }),
      );
      if (signal.aborted) return;
      list.append(...page.data.map((review) => reviewCard({ orgId, item, canEdit }, review)));
      cursor = page.nextCursor ?? undefined;
      status.replaceChildren(
        cursor
          ? loadMore
          : list.childElementCount === 0
            ? h("p", { class: "empty" }, "No reviews yet. Buyers review from their Purchases or the storefront.")
            : "",
      );
    } catch (err) {
      status.replaceChildren(errorAlert(err), loadMore);
    } finally {
      loadMore.disabled = false;
    }
  };
  loadMore.addEventListener("click", load);
  await load();
  return h(
    "div",
    { class: "stack" },
    h(
      "p",
      { class: "muted" },
      `${item.reviewCount} counted review${item.reviewCount === 1 ? "" : "s"}`,
      item.ratingAverage !== null ? `, ${item.ratingAverage.toFixed(1)} stars on average. ` : ". ",
      canEdit
        ? "Reply once per review, in public (you can edit your reply later); report a review that breaks the rules to the Plaza operators."
        : "Admins reply to reviews and report them to the operators; you can read them.",
    ),
    list,
    status,
  );
}

export const reviewsTab: StudioTab = { id: "reviews", label: "Reviews", render };
