/**
 * Statements that keep `items.review_count` and `items.rating_sum` equal to the sum over the
 * item's `counted` reviews. Each one is guarded by SQL conditions on the review's current state,
 * so running it twice (a retried refund, two racing revocations) changes the aggregate once.
 * Where a pair is returned, the items update comes first: it reads the review before it changes.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { items, reviews } from "../db/schema";
import { holdsReviewableEntitlement } from "../entitlements/conditions";

const countedRatingOf = (itemId: string, userId: string) =>
  sql`(SELECT r.rating FROM reviews r WHERE r.item_id = ${itemId} AND r.user_id = ${userId} AND r.counted = 1)`;
const hasCountedReview = (itemId: string, userId: string) =>
  sql`EXISTS (SELECT 1 FROM reviews r WHERE r.item_id = ${itemId} AND r.user_id = ${userId} AND r.counted = 1)`;
const hasUncountedReview = (itemId: string, userId: string) =>
  sql`EXISTS (SELECT 1 FROM reviews r WHERE r.item_id = ${itemId} AND r.user_id = ${userId} AND r.counted = 0)`;

/** After inserting a counted review: add it (only if the insert really happened). */
export function addNewReview(db: Db, itemId: string, reviewId: string) {
  return db
    .update(items)
    .set({
      reviewCount: sql`${items.reviewCount} + 1`,
      ratingSum: sql`${items.ratingSum} + (SELECT r.rating FROM reviews r WHERE r.id = ${reviewId} AND r.counted = 1)`,
    })
    .where(and(eq(items.id, itemId), sql`EXISTS (SELECT 1 FROM reviews r WHERE r.id = ${reviewId} AND r.counted = 1)`));
}

/** Before changing a review's rating: swap the old rating for the new one if it is counted. */
export function replaceRating(db: Db, itemId: string, userId: string, newRating: number) {
  return db
    .update(items)
    .set({ ratingSum: sql`${items.ratingSum} - ${countedRatingOf(itemId, userId)} + ${newRating}` })
    .where(and(eq(items.id, itemId), hasCountedReview(itemId, userId)));
}

/** Before deleting a review: take it out if it is counted. */
export function subtractReview(db: Db, itemId: string, userId: string) {
  return db
    .update(items)
    .set({ reviewCount: sql`${items.reviewCount} - 1`, ratingSum: sql`${items.ratingSum} - ${countedRatingOf(itemId, userId)}` })
    .where(and(eq(items.id, itemId), hasCountedReview(itemId, userId)));
}

/**
 * After an entitlement ends: if the user no longer holds any buyer entitlement to the item, their
 * review stops counting and its rating leaves the aggregate.
 */
export function uncountIfNoLongerBuyer(db: Db, itemId: string, userId: string, now: number) {
  const noLongerBuyer = sql`NOT ${holdsReviewableEntitlement(itemId, userId, now)}`;
  return [
    db
      .update(items)
      .set({ reviewCount: sql`${items.reviewCount} - 1`, ratingSum: sql`${items.ratingSum} - ${countedRatingOf(itemId, userId)}` })
      .where(and(eq(items.id, itemId), hasCountedReview(itemId, userId), noLongerBuyer)),
    db
      .update(reviews)
      .set({ counted: false })
      .where(and(eq(reviews.itemId, itemId), eq(reviews.userId, userId), eq(reviews.counted, true), noLongerBuyer)),
  ] as const;
}

/** After an entitlement (re)starts, e.g. a re-purchase after a refund: the review counts again. */
export function recountIfBuyer(db: Db, itemId: string, userId: string, now: number) {
  const buyer = holdsReviewableEntitlement(itemId, userId, now);
  const uncountedRatingOf = sql`(SELECT r.rating FROM reviews r WHERE r.item_id = ${itemId} AND r.user_id = ${userId} AND r.counted = 0)`;
  return [
    db
      .update(items)
      .set({ reviewCount: sql`${items.reviewCount} + 1`, ratingSum: sql`${items.ratingSum} + ${uncountedRatingOf}` })
      .where(and(eq(items.id, itemId), hasUncountedReview(itemId, userId), buyer)),
    db
      .update(reviews)
      .set({ counted: true })
      .where(and(eq(reviews.itemId, itemId), eq(reviews.userId, userId), eq(reviews.counted, false), buyer)),
  ] as const;
}
