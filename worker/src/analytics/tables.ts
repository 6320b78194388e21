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
 * Raw storefront item page views (page-views.ts), one per queue message: the key holds the
 * message's id, so a redelivery adds nothing, and the day first, so the purge and the backfill
 * read whole days off the key. Views are added to `analytics_daily.page_views` as they land; the
 * backfill recounts from these rows. Kept 35 days, purged whole days at a time; older days keep
 * only their count. No other index: every view writes this row, and only the key's B-tree.
 */
export const pageViews = sqliteTable(
  "page_views",
  {
    /** UTC 'YYYY-MM-DD' of the view (its message's `viewedAt`). */
    day: text("day").notNull(),
    id: text("id").notNull(),
    orgId: text("org_id").notNull(),
    itemId: text("item_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.id] })],
);
