/**
 * Seller and platform analytics: the query and the answers of `GET /v1/orgs/{orgId}/analytics` (and its CSV) and
 * `GET /v1/operator/analytics`. Shared by the Worker (validation + OpenAPI) and web/ (the Analytics page, the operator
 * overview). The numbers come from the daily rollups in worker/src/analytics.
 */
import { z } from "zod";

/** The ranges the API answers, in days ending today (UTC). */
export const AnalyticsDays = z.coerce
  .number()
  .int()
  .min(7)
  .max(365)
  .pipe(z.union([z.literal(7), z.literal(30), z.literal(90), z.literal(365)]));
export type AnalyticsDaysT = z.infer<typeof AnalyticsDays>;

export const AnalyticsQuery = z.object({
  days: AnalyticsDays.default(30),
  itemId: z.string().optional(),
  currency: z.string().optional(),
});

/** One UTC day. Money in minor units of the answer's currency; refunds positive; mrr and activeLicenses are running totals. */
export const AnalyticsDay = z.object({
  day: z.string(),
  grossSales: z.number().int(),
  netSales: z.number().int(),
  fees: z.number().int(),
  refunds: z.number().int(),
  disputes: z.number().int(),
  newSubscriptions: z.number().int(),
  churnedSubscriptions: z.number().int(),
  mrr: z.number().int(),
  downloads: z.number().int(),
  activeLicenses: z.number().int(),
  pageViews: z.number().int(),
  checkoutsStarted: z.number().int(),
  checkoutsCompleted: z.number().int(),
});
export type AnalyticsDayT = z.infer<typeof AnalyticsDay>;

/** Sums over the range; mrr/activeLicenses = value on the last day; conversion = checkoutsCompleted / pageViews. */
export const AnalyticsTotals = AnalyticsDay.omit({ day: true, mrr: true, activeLicenses: true }).extend({
  mrr: z.number().int(),
  activeLicenses: z.number().int(),
  conversion: z.number().nullable(),
});
export type AnalyticsTotalsT = z.infer<typeof AnalyticsTotals>;

export const Analytics = z.object({
  from: z.string(),
  to: z.string(),
  days: z.number().int(),
  itemId: z.string().nullable(),
  currency: z.string().nullable(),
  currencies: z.array(z.string()),
  series: z.array(AnalyticsDay),
  totals: AnalyticsTotals,
});
export type AnalyticsT = z.infer<typeof Analytics>;

export const PlatformAnalyticsDay = z.object({
  day: z.string(),
  grossSales: z.number().int(),
  feeIncome: z.number().int(),
  refunds: z.number().int(),
  disputes: z.number().int(),
});
export type PlatformAnalyticsDayT = z.infer<typeof PlatformAnalyticsDay>;

export const PlatformAnalytics = z.object({
  from: z.string(),
  to: z.string(),
  days: z.number().int(),
  currency: z.string().nullable(),
  currencies: z.array(z.string()),
  series: z.array(PlatformAnalyticsDay),
});
export type PlatformAnalyticsT = z.infer<typeof PlatformAnalytics>;

/** The CSV's columns, in order: the keys of AnalyticsDay. */
export const ANALYTICS_CSV_COLUMNS = Object.keys(AnalyticsDay.shape) as (keyof AnalyticsDayT)[];
