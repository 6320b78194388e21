/**
 * Reading the daily rollups: an org's series (per item or all) and the platform's. Reads touch only
 * analytics_daily: one indexed range read, and for the running totals (MRR, active licenses) one sum
 * of the days before the range.
 */
import { type AnyColumn, and, eq, gte, lt, lte, sql } from "drizzle-orm";
import type { AnalyticsDaysT, AnalyticsDayT, AnalyticsT, PlatformAnalyticsT } from "../../../shared/analytics";
import type { Ctx } from "../context";
import { utcDay } from "../db/rollups";
import { analyticsDaily as a } from "./tables";

const DAY_MS = 86_400_000;

/** The `days` UTC days ending today, oldest first. */
export function dayRange(days: number, now = Date.now()) {
  return Array.from({ length: days }, (_, i) => utcDay(now - (days - 1 - i) * DAY_MS));
}

const total = (column: AnyColumn) => sql<number>`coalesce(sum(${column}), 0)`;

/** The currency shown when none is asked for: the one with the most gross sales in the range, else the first known. */
function pickCurrency(rows: { currency: string; grossSales: number }[], known: string[]) {
  const gross = new Map<string, number>();
  for (const r of rows) if (r.currency) gross.set(r.currency, (gross.get(r.currency) ?? 0) + r.grossSales);
  const best = [...gross].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))[0];
  return best?.[0] ?? known[0] ?? null;
}

export async function orgAnalytics(
  { db }: Ctx,
  {
    orgId,
    days,
    itemId,
    currency: asked,
    now = Date.now(),
  }: { orgId: string; days: AnalyticsDaysT; itemId?: string; currency?: string; now?: number },
): Promise<AnalyticsT> {
  const range = dayRange(days, now);
  const from = range[0]!;
  const to = range[range.length - 1]!;
  const scope = and(eq(a.orgId, orgId), itemId ? eq(a.itemId, itemId) : undefined);
  // Grouped by currency too, so the currency can be chosen from what the range holds.
  const [rows, before] = await Promise.all([
    db
      .select({
        day: a.day,
        currency: a.currency,
        grossSales: total(a.grossSales),
        netSales: total(a.netSales),
        fees: total(a.fees),
        refunds: total(a.refunds),
        disputes: total(a.disputes),
        newSubscriptions: total(a.newSubscriptions),
        churnedSubscriptions: total(a.churnedSubscriptions),
        mrrChange: total(a.mrrChange),
        downloads: total(a.downloads),
        licensesChange: total(a.licensesChange),
        pageViews: total(a.pageViews),
        checkoutsStarted: total(a.checkoutsStarted),
        checkoutsCompleted: total(a.checkoutsCompleted),
      })
      .from(a)
      .where(and(scope, gte(a.day, from), lte(a.day, to)))
      .groupBy(a.day, a.currency),
    db
      .select({ currency: a.currency, mrrChange: total(a.mrrChange), licensesChange: total(a.licensesChange) })
      .from(a)
      .where(and(scope, lt(a.day, from)))
      .groupBy(a.currency),
  ]);
  const currencies = [...new Set([...rows, ...before].map((r) => r.currency).filter((c) => c !== ""))].sort();
  const currency = asked ?? pickCurrency(rows, currencies);
  const money = (c: string) => c === "" || c === currency;

  const byDay = new Map(range.map((day) => [day, emptyDay(day)]));
  let mrr = before.reduce((sum, r) => sum + (money(r.currency) ? r.mrrChange : 0), 0);
  let activeLicenses = before.reduce((sum, r) => sum + r.licensesChange, 0);
  const changes = new Map<string, { mrr: number; licenses: number }>();
  for (const r of rows) {
    const d = byDay.get(r.day);
    if (!d) continue;
    if (money(r.currency)) {
      d.grossSales += r.grossSales;
      d.netSales += r.netSales;
      d.fees += r.fees;
      d.refunds += r.refunds;
    }
    d.disputes += r.disputes;
    d.newSubscriptions += r.newSubscriptions;
    d.churnedSubscriptions += r.churnedSubscriptions;
    d.downloads += r.downloads;
    d.pageViews += r.pageViews;
    d.checkoutsStarted += r.checkoutsStarted;
    d.checkoutsCompleted += r.checkoutsCompleted;
    const change = changes.get(r.day) ?? { mrr: 0, licenses: 0 };
    change.mrr += money(r.currency) ? r.mrrChange : 0;
    change.licenses += r.licensesChange;
    changes.set(r.day, change);
  }
  const series = range.map((day) => {
    const d = byDay.get(day)!;
    mrr += changes.get(day)?.mrr ?? 0;
    activeLicenses += changes.get(day)?.licenses ?? 0;
    return { ...d, mrr, activeLicenses };
  });
  return { from, to, days, itemId: itemId ?? null, currency, currencies, series, totals: totalsOf(series) };
}

function emptyDay(day: string): AnalyticsDayT {
  return {
    day,
    grossSales: 0,
    netSales: 0,
    fees: 0,
    refunds: 0,
    disputes: 0,
    newSubscriptions: 0,
    churnedSubscriptions: 0,
    mrr: 0,
    downloads: 0,
    activeLicenses: 0,
    pageViews: 0,
    checkoutsStarted: 0,
    checkoutsCompleted: 0,
  };
}

const SUMMED = [
  "grossSales",
  "netSales",
  "fees",
  "refunds",
  "disputes",
  "newSubscriptions",
  "churnedSubscriptions",
  "downloads",
  "pageViews",
  "checkoutsStarted",
  "checkoutsCompleted",
] as const;

function totalsOf(series: AnalyticsDayT[]): AnalyticsT["totals"] {
  const sums = Object.fromEntries(SUMMED.map((k) => [k, series.reduce((sum, d) => sum + d[k], 0)])) as Record<
    (typeof SUMMED)[number],
    number
  >;
  const last = series[series.length - 1];
  return {
    ...sums,
    mrr: last?.mrr ?? 0,
    activeLicenses: last?.activeLicenses ?? 0,
    conversion: sums.pageViews > 0 ? sums.checkoutsCompleted / sums.pageViews : null,
  };
}

/** The platform's series: every org's gross sales, the fees Plaza kept (net of fee refunds), refunds and disputes, per day. */
export async function platformAnalytics(
  { db }: Ctx,
  { days, currency: asked, now = Date.now() }: { days: AnalyticsDaysT; currency?: string; now?: number },
): Promise<PlatformAnalyticsT> {
  const range = dayRange(days, now);
  const from = range[0]!;
  const to = range[range.length - 1]!;
  const rows = await db
    .select({
      day: a.day,
      currency: a.currency,
      grossSales: total(a.grossSales),
      feeIncome: total(a.fees),
      refunds: total(a.refunds),
      disputes: total(a.disputes),
    })
    .from(a)
    .where(and(gte(a.day, from), lte(a.day, to)))
    .groupBy(a.day, a.currency);
  const currencies = [...new Set(rows.map((r) => r.currency).filter((c) => c !== ""))].sort();
  const currency = asked ?? pickCurrency(rows, currencies);
  const byDay = new Map(range.map((day) => [day, { day, grossSales: 0, feeIncome: 0, refunds: 0, disputes: 0 }]));
  for (const r of rows) {
    const d = byDay.get(r.day);
    if (!d) continue;
    d.disputes += r.disputes;
    if (r.currency !== currency) continue;
    d.grossSales += r.grossSales;
    d.feeIncome += r.feeIncome;
    d.refunds += r.refunds;
  }
  return { from, to, days, currency, currencies, series: [...byDay.values()] };
}
