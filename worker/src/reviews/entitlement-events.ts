import { REVIEWABLE_SOURCES } from "../../../shared/catalog";
import type { EventHandlers } from "../context";
import { recountIfBuyer, uncountIfNoLongerBuyer } from "./aggregate";

const reviewable = new Set<string>(REVIEWABLE_SOURCES);

/** A review counts while its author holds the item as a buyer: entitlements ending or starting again move it in or out of the aggregate. */
export const reviewsEntitlementEvents: EventHandlers = {
  "entitlements.revoked": async (ctx, { entitlements, now }) =>
    entitlements.flatMap((e) => uncountIfNoLongerBuyer(ctx.db, e.itemId, e.userId, now)),
  // An operator's grant makes nobody a buyer: nothing to count again.
  "entitlements.granted": async (ctx, { entitlements, now }) =>
    entitlements.filter((e) => reviewable.has(e.source)).flatMap((e) => recountIfBuyer(ctx.db, e.itemId, e.userId, now)),
};
