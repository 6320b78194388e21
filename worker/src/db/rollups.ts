/**
 * What the daily rollups (analytics) ask of the domains that own their source rows: each exports a
 * SELECT of `org_id, item_id, day` plus its family's columns, grouped by bucket, over every bucket
 * (the backfill) or over one (`RollupScope`, the writer in a change's batch). Days are UTC 'YYYY-MM-DD'.
 */
import { type AnyColumn, type SQL, sql } from "drizzle-orm";

type Ref = AnyColumn | SQL;

/** One bucket of the rollups: an org's item on a UTC day. */
export interface RollupScope {
  orgId: string;
  itemId: string;
  day: string;
}

const DAY_MS = 86_400_000;

/** The UTC day of a time in ms, as the rollups key it. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** SQL: the UTC day of a ms column (integer division keeps `unixepoch` on whole seconds). */
export const utcDaySql = (ms: Ref) => sql<string>`strftime('%Y-%m-%d', ${ms} / 1000, 'unixepoch')`;

/** The first ms of a UTC day and of the day after. */
export function dayBounds(day: string): [number, number] {
  const start = Date.parse(`${day}T00:00:00.000Z`);
  return [start, start + DAY_MS];
}

/**
 * SQL condition restricting a source to one bucket: its org and item columns, and a time column
 * within the day (a range, so the time index serves it). Without a scope, true.
 */
export function inScope(scope: RollupScope | undefined, columns: { orgId: Ref; itemId: Ref; at: Ref }) {
  if (!scope) return sql`1`;
  const [start, end] = dayBounds(scope.day);
  return sql`${columns.orgId} = ${scope.orgId} AND ${columns.itemId} = ${scope.itemId} AND ${columns.at} >= ${start} AND ${columns.at} < ${end}`;
}
