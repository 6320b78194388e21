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
  },
  (t) => [uniqueIndex("reviews_item_user_idx").on(t.itemId, t.userId), index("reviews_item_created_idx").on(t.itemId, t.createdAt)],
);

// ---- payments ----
