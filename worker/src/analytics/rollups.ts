/**
 * Writing the daily rollups. A family's statement recomputes its columns of a bucket from the source
 * rows (the owning domain's SQL builder), so a replay, a second writer or the backfill all land on the
 * same numbers. Live writers run in the batch of the change they count, after its rows.
 */
import { count, getTableColumns, type SQL, sql } from "drizzle-orm";
import { subscriptionRollupSql } from "../billing";
import { checkoutRollupSql } from "../checkout";
import type { Statement } from "../context";
import type { Db } from "../db/client";
import { type RollupScope, utcDay } from "../db/rollups";
import { disputeRollupSql } from "../disputes";
import { downloadRollupSql } from "../downloads";
import { ledgerRollupSql } from "../ledger";
import { licenseRollupSql } from "../licenses";
import { orderLinesSql } from "../orders";
import { pageViewsRebuildStatements } from "./page-views";
import { analyticsDaily } from "./tables";

/** Each family: its columns in analytics_daily (as its source SELECT names them) and that SELECT. */
const FAMILIES = {
  ledger: {
    columns: ["gross_sales", "net_sales", "fees", "refunds"],
    currency: true,
    source: (s?: RollupScope) => ledgerRollupSql(orderLinesSql(), s),
  },
  disputes: { columns: ["disputes"], currency: false, source: disputeRollupSql },
  subscriptions: { columns: ["new_subscriptions", "churned_subscriptions", "mrr_change"], currency: false, source: subscriptionRollupSql },
  downloads: { columns: ["downloads"], currency: false, source: downloadRollupSql },
  licenses: { columns: ["licenses_change"], currency: false, source: licenseRollupSql },
  checkouts: { columns: ["checkouts_started", "checkouts_completed"], currency: false, source: checkoutRollupSql },
} satisfies Record<string, { columns: string[]; currency: boolean; source: (scope?: RollupScope) => SQL }>;

export type RollupFamily = keyof typeof FAMILIES;
export const ROLLUP_FAMILIES = Object.keys(FAMILIES) as RollupFamily[];

/** The table's columns by their SQL name, in the table's order (the order INSERT … SELECT fills them in). */
const COLUMNS = Object.values(getTableColumns(analyticsDaily));
const KEY = new Set(["org_id", "item_id", "day"]);

/**
 * `INSERT … SELECT … ON CONFLICT DO UPDATE` of one family's columns: from `from` (its rows as alias s),
 * keyed by `key` (the bucket's values, or s's own columns); a new bucket's other columns start at 0.
 * The money family also sets the currency, kept when a recount finds no money.
 */
function upsert(db: Db, family: RollupFamily, { key, from, now }: { key: Record<string, SQL>; from: SQL; now: number }): Statement {
  const { columns, currency } = FAMILIES[family];
  const own = new Set<string>(columns);
  const selected = COLUMNS.map((column) => {
    if (KEY.has(column.name)) return key[column.name]!;
    if (own.has(column.name)) return sql`coalesce(s.${sql.identifier(column.name)}, 0)`;
    if (column.name === "currency") return currency ? sql`coalesce(s.currency, '')` : sql`''`;
    if (column.name === "updated_at") return sql`${now}`;
    return sql`0`;
  });
  const set = Object.fromEntries(
    Object.entries(getTableColumns(analyticsDaily))
      .filter(([, column]) => own.has(column.name) || column.name === "updated_at")
      .map(([field, column]) => [field, sql`excluded.${sql.identifier(column.name)}`]),
  );
  if (currency) set.currency = sql`CASE WHEN excluded.currency <> '' THEN excluded.currency ELSE ${analyticsDaily.currency} END`;
  return (
    db
      .insert(analyticsDaily)
      // `WHERE true`: without it SQLite would read ON CONFLICT as the join's constraint.
      .select(sql`SELECT ${sql.join(selected, sql`, `)} FROM ${from} WHERE true`)
      .onConflictDoUpdate({ target: [analyticsDaily.orgId, analyticsDaily.itemId, analyticsDaily.day], set })
  );
}

/** The statement that recomputes one family's columns of one bucket (zero when its source has no rows there). */
export function bucketStatement(db: Db, family: RollupFamily, scope: RollupScope, now: number): Statement {
  return upsert(db, family, {
    key: { org_id: sql`${scope.orgId}`, item_id: sql`${scope.itemId}`, day: sql`${scope.day}` },
    from: sql`(SELECT 1) LEFT JOIN (${FAMILIES[family].source(scope)}) s ON true`,
    now,
  });
}

/** The statements that recompute `families` of an item's buckets on the days of `at` (times in ms), for a change's batch. */
export function rollupStatements(db: Db, families: RollupFamily[], bucket: { orgId: string; itemId: string; at: number[] }, now: number) {
  const days = [...new Set(bucket.at.map(utcDay))];
  return families.flatMap((family) =>
    days.map((day) => bucketStatement(db, family, { orgId: bucket.orgId, itemId: bucket.itemId, day }, now)),
  );
}

const zeroes = (family: RollupFamily) =>
  Object.fromEntries(
    Object.entries(getTableColumns(analyticsDaily))
      .filter(([, column]) => (FAMILIES[family].columns as string[]).includes(column.name))
      .map(([field]) => [field, 0]),
  );

/**
 * Every bucket of every family recomputed from the source rows, in one batch (one transaction): each
 * family's columns are zeroed, then set from its grouped source. Page views are recounted only for
 * the days that still have raw views (page-views.ts); older days keep their counts.
 */
export async function rebuildRollups(db: Db, now: number) {
  const statements = ROLLUP_FAMILIES.flatMap((family) => [
    db.update(analyticsDaily).set(zeroes(family)),
    upsert(db, family, {
      key: { org_id: sql`s.org_id`, item_id: sql`s.item_id`, day: sql`s.day` },
      from: sql`(${FAMILIES[family].source()}) s`,
      now,
    }),
  ]);
  statements.push(...pageViewsRebuildStatements(db, now));
  await db.batch(statements as [Statement, ...Statement[]]);
  const [row] = await db.select({ n: count() }).from(analyticsDaily);
  return row?.n ?? 0;
}
