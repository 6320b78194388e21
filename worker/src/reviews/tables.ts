import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "../auth/tables";
import { items } from "../catalog/tables";

export const reviews = sqliteTable(
  "reviews",
  {
    id: text("id").primaryKey(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    rating: integer("rating").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    /** Whether the rating is in the item's aggregate; false once the reviewer's entitlement ends. */
    counted: integer("counted", { mode: "boolean" }).notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    replyBody: text("reply_body"),
    replyAt: integer("reply_at"),
    replyBy: text("reply_by"),
    /** When the reply was last edited; its author and first time (reply_by, reply_at) stay. */
    replyEditedAt: integer("reply_edited_at"),
  },
  (t) => [uniqueIndex("reviews_item_user_idx").on(t.itemId, t.userId), index("reviews_item_created_idx").on(t.itemId, t.createdAt)],
);

/**
 * An author's report of a review to the operators (abuse, spam, off-topic), one per review; the
 * operators read them at GET /v1/operator/review-reports.
 */
export const reviewReports = sqliteTable(
  "review_reports",
  {
    id: text("id").primaryKey(),
    reviewId: text("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    reportedBy: text("reported_by").notNull(),
    reason: text("reason").notNull(),
    createdAt: integer("created_at").notNull(),
    /** When an operator dismissed it, and who; null while it is open. */
    resolvedAt: integer("resolved_at"),
    resolvedBy: text("resolved_by"),
  },
  (t) => [uniqueIndex("review_reports_review_idx").on(t.reviewId), index("review_reports_created_idx").on(t.createdAt, t.id)],
);
