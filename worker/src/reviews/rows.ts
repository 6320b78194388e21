/** A review row as the API shows it, with its author's name. */
import type { SQL } from "drizzle-orm";
import type { ReviewT } from "../../../shared/catalog";
import { userNameSql } from "../auth";
import type { Db } from "../db/client";
import { reviews } from "./tables";

export type ReviewRow = typeof reviews.$inferSelect;

export function toReview(row: ReviewRow, userName: string): ReviewT {
  return {
    id: row.id,
    itemId: row.itemId,
    userId: row.userId,
    userName,
    rating: row.rating,
    title: row.title,
    body: row.body,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    reply:
      row.replyBody !== null && row.replyAt !== null ? { body: row.replyBody, createdAt: row.replyAt, editedAt: row.replyEditedAt } : null,
  };
}

/** Reviews with their author's name (a review goes with its author's account: ON DELETE CASCADE). */
export const withName = (db: Db) => db.select({ review: reviews, userName: userNameSql(reviews.userId) }).from(reviews);

export async function reviewWithName(db: Db, where: SQL) {
  const [found] = await withName(db).where(where).limit(1);
  return found ? toReview(found.review, found.userName) : undefined;
}
