import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Daily rollups per org, item and UTC day ('YYYY-MM-DD'), written in the batch of the change they count.
 * Each writer recomputes its family's columns from the source rows (rollups.ts), so replays and
 * concurrent writers agree. Money in minor units of `currency` ('' while the bucket has no money yet);
 * `mrr_change` and `licenses_change` are signed and summed over days for MRR and active licenses.
 */
export const analyticsDaily = sqliteTable(
  "analytics_daily",
  {
    orgId: text("org_id").notNull(),
    itemId: text("item_id").notNull(),
    day: text("day").notNull(),
    currency: text("currency").notNull().default(""),
    grossSales: integer("gross_sales").notNull().default(0),
    netSales: integer("net_sales").notNull().default(0),
    fees: integer("fees").notNull().default(0),
    refunds: integer("refunds").notNull().default(0),
    disputes: integer("disputes").notNull().default(0),
    newSubscriptions: integer("new_subscriptions").notNull().default(0),
    churnedSubscriptions: integer("churned_subscriptions").notNull().default(0),
    mrrChange: integer("mrr_change").notNull().default(0),
    downloads: integer("downloads").notNull().default(0),
    licensesChange: integer("licenses_change").notNull().default(0),
    pageViews: integer("page_views").notNull().default(0),
    checkoutsStarted: integer("checkouts_started").notNull().default(0),
    checkoutsCompleted: integer("checkouts_completed").notNull().default(0),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.itemId, t.day] }),
    index("analytics_daily_org_day_idx").on(t.orgId, t.day),
    /** The operator's platform-wide series. */
    index("analytics_daily_day_idx").on(t.day),
  ],
);

/**
 * Raw storefront item page views (page-views.ts), one per queue message (its id), so a redelivery
 * adds nothing; their day's count in `analytics_daily.page_views` is recomputed from them. Kept 35
 * days, purged whole days at a time; older days keep only their count.
 */
export const pageViews = sqliteTable(
  "page_views",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    itemId: text("item_id").notNull(),
    /** UTC 'YYYY-MM-DD' of `viewed_at`. */
    day: text("day").notNull(),
    viewedAt: integer("viewed_at").notNull(),
  },
  (t) => [
    /** A bucket's recount reads only this index. */
    index("page_views_item_day_idx").on(t.itemId, t.day),
    index("page_views_day_idx").on(t.day),
  ],
);
