import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Fixed-window counters of every rate limit (worker/src/http/rate-limit.ts): logins, e-mails, License API, webhooks. */
export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull(),
});
