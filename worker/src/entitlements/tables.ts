import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { items } from "../catalog/tables";

/** One row answers "may this user use, download and review this item". */
export const entitlements = sqliteTable(
  "entitlements",
  {
    id: text("id").primaryKey(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    source: text("source", { enum: ["free", "purchase", "subscription", "grant"] }).notNull(),
    status: text("status", { enum: ["active", "revoked", "expired", "disputed"] }).notNull(),
    /** The order, subscription or grant reason behind it. */
    reference: text("reference"),
    grantedBy: text("granted_by"),
    expiresAt: integer("expires_at"),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    // A buyer holds at most one entitlement per item and source (a repeat claim is a no-op).
    uniqueIndex("entitlements_user_item_source_idx").on(t.userId, t.itemId, t.source),
    index("entitlements_item_idx").on(t.itemId),
  ],
);
