/**
 * Statements that keep the item's review count and rating sum (catalog's `ratingChange`) equal to
 * the sum over the item's `counted` reviews. Each one is guarded by SQL conditions on the review's
 * current state, so running it twice (a retried refund, two racing revocations) changes the
 * aggregate once. Where a pair is returned, the item's update comes first: it reads the review
 * before it changes.
 */
import { and, eq, sql } from "drizzle-orm";
import { ratingChange } from "../catalog";
import type { Db } from "../db/client";
import { holdsReviewableEntitlement } from "../entitlements";
import { reviews } from "./tables";

const countedRatingOf = (itemId: string, userId: string) =>
  sql`(SELECT r.rating FROM reviews r WHERE r.item_id = ${itemId} AND r.user_id = ${userId} AND r.counted = 1)`;
const hasCountedReview = (itemId: string, userId: string) =>
  sql`EXISTS (SELECT 1 FROM reviews r WHERE r.item_id = ${itemId} AND r.user_id = ${userId} AND r.counted = 1)`;
const hasUncountedReview = (itemId: string, userId: string) =>
  sql`EXISTS (SELECT 1 FROM reviews r WHERE r.item_id = ${itemId} AND r.user_id = ${userId} AND r.counted = 0)`;

/** After inserting a counted review: add it (only if the insert really happened). */
export function addNewReview(db: Db, itemId: string, reviewId: string) {
  return ratingChange(db, itemId, {
    reviews: 1,
    ratingSum: sql`(SELECT r.rating FROM reviews r WHERE r.id = ${reviewId} AND r.counted = 1)`,
    when: sql`EXISTS (SELECT 1 FROM reviews r WHERE r.id = ${reviewId} AND r.counted = 1)`,
  });
}

/** Before changing a review's rating: swap the old rating for the new one if it is counted. */
export function replaceRating(db: Db, itemId: string, userId: string, newRating: number) {
  return ratingChange(db, itemId, {
    reviews: 0,
    ratingSum: sql`${newRating} - ${countedRatingOf(itemId, userId)}`,
    when: hasCountedReview(itemId, userId),
  });
}

/** Before deleting a review: take it out if it is counted. */
export function subtractReview(db: Db, itemId: string, userId: string) {
  return ratingChange(db, itemId, {
    reviews: -1,
    ratingSum: sql`-${countedRatingOf(itemId, userId)}`,
    when: hasCountedReview(itemId, userId),
  });
}

/**
 * After an entitlement ends: if the user no longer holds any buyer entitlement to the item, their
 * review stops counting and its rating leaves the aggregate.
 */
export function uncountIfNoLongerBuyer(db: Db, itemId: string, userId: string, now: number) {
  const noLongerBuyer = sql`NOT ${holdsReviewableEntitlement(itemId, userId, now)}`;
  return [
    ratingChange(db, itemId, {
      reviews: -1,
      ratingSum: sql`-${countedRatingOf(itemId, userId)}`,
      when: and(hasCountedReview(itemId, userId), noLongerBuyer)!,
    }),
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
    ratingChange(db, itemId, { reviews: 1, ratingSum: uncountedRatingOf, when: and(hasUncountedReview(itemId, userId), buyer)! }),
    db
      .update(reviews)
      .set({ counted: true })
      .where(and(eq(reviews.itemId, itemId), eq(reviews.userId, userId), eq(reviews.counted, false), buyer)),
  ] as const;
}
