/** "Write a review" or "Edit your review" beside an item the buyer owns (not for a gift from Plaza: a grant cannot review). */
import { REVIEWABLE_SOURCES } from "../../../../shared/catalog";
import type { LibraryEntryT } from "../../../../shared/downloads";
import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { h } from "../../dom";
import { reviewItemPath } from "../paths";

const reviewable = new Set<string>(REVIEWABLE_SOURCES);

/** The ids of the items the signed-in user reviewed. */
export async function reviewedItemIds(): Promise<Set<string>> {
  const { data } = await unwrap(api.v1.me.reviews.$get());
  return new Set(data.map((r) => r.itemId));
}

export function reviewLink(entry: LibraryEntryT, reviewed: ReadonlySet<string>): HTMLAnchorElement | null {
  if (!reviewable.has(entry.source)) return null;
  const label = reviewed.has(entry.item.id) ? "Edit your review" : "Write a review";
  return h("a", { class: "button small", href: reviewItemPath(entry.item.slug), "aria-label": `${label} of ${entry.item.name}` }, label);
}
