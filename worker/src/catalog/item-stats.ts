/**
 * The counters on an item that other domains keep, as statements for their own batches: its
 * rating aggregate (reviews) and its downloads (downloads). Each is guarded by a condition the
 * caller writes on its own rows, so the counter moves only with the change it counts.
 */
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { items } from "./tables";

/**
 * Adds `reviews` (−1, 0 or 1) to the item's review count and `ratingSum` (SQL, evaluated before
 * the update) to its rating sum, if `when` holds.
 */
export function ratingChange(db: Db, itemId: string, change: { reviews: -1 | 0 | 1; ratingSum: SQL; when: SQL }) {
  return db
    .update(items)
    .set({
      ...(change.reviews !== 0 && { reviewCount: sql`${items.reviewCount} + ${change.reviews}` }),
      ratingSum: sql`${items.ratingSum} + (${change.ratingSum})`,
    })
    .where(and(eq(items.id, itemId), change.when));
}

/**
 * Adds downloads to items' totals: `counts` is a SELECT of `item_id, n` (one row per item), and
 * each listed item's total grows by its `n`, if `when` holds. The downloads tally job's statement,
 * so the hot item rows are written once a tick, not once a download.
 */
export function countDownload(db: Db, counts: SQL, when: SQL) {
  return db
    .update(items)
    .set({ downloads: sql`${items.downloads} + counted.n` })
    .from(sql`(${counts}) AS counted`)
    .where(and(sql`${items.id} = counted.item_id`, when));
}
