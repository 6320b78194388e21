/**
 * Download counts off the request path. A download's batch writes only its own `downloads` row and
 * its link's use; the tally job adds the counted rows to `items.downloads` and recounts their daily
 * rollups once a tick, so a popular item's row (and its day's rollup row) takes one write a tick
 * instead of one per download. The totals are therefore up to one tick behind the log.
 *
 * Exactly once: rows are taken in `seq` order (commit order, see tables.ts) after the tally's
 * position, and each batch adds its range's counts and moves the position in one transaction,
 * guarded by the position it read. A retried, crashed or concurrent run adds nothing twice, and a
 * row committed after a run read the log has a larger `seq` than the position that run writes.
 */
import { and, asc, eq, gt, lte, type SQL, sql } from "drizzle-orm";
import { countDownload } from "../catalog";
import type { Statement } from "../context";
import type { Db } from "../db/client";
import { utcDay } from "../db/rollups";
import type { Job } from "../module";
import { downloads, downloadTally } from "./tables";

const TALLY = "items";
/** Batches a run makes at most (each of up to `batchSize` rows); a backlog continues on the next tick. */
export const TALLY_ROUNDS = 10;
/** Item-days a batch recounts at most: one rollup statement each (reading that day's rows), so a batch stays small. */
export const TALLY_BUCKETS = 100;

const position = sql`(SELECT ${downloadTally.seq} FROM ${downloadTally} WHERE ${downloadTally.id} = ${TALLY})`;

/**
 * SQL: the `seq` of a download being recorded, evaluated inside its batch. Past the tally's position
 * too, so a row can never land behind it (if the newest rows were deleted after being tallied).
 */
export const nextDownloadSeq = sql<number>`1 + max(coalesce((SELECT max(${downloads.seq}) FROM ${downloads}), 0), coalesce(${position}, 0))`;

/** The tally's position: every row with a `seq` up to it is in the totals. */
export async function tallyPosition(db: Db) {
  const [row] = await db.select({ seq: downloadTally.seq }).from(downloadTally).where(eq(downloadTally.id, TALLY)).limit(1);
  return row?.seq ?? 0;
}

/**
 * Adds the counted downloads after the tally's position to their items' totals and recounts their
 * item-days' rollups (`downloads.counted`), in batches of at most `batchSize` rows and
 * TALLY_BUCKETS item-days, TALLY_ROUNDS batches a run. Answers how many downloads it counted.
 */
export const tallyDownloads: Job = async ({ db, events, now, batchSize }) => {
  let tallied = 0;
  for (let round = 0; round < TALLY_ROUNDS; round++) {
    const from = await tallyPosition(db);
    const rows = await db
      .select({
        seq: downloads.seq,
        orgId: downloads.orgId,
        itemId: downloads.itemId,
        createdAt: downloads.createdAt,
        counted: downloads.counted,
      })
      .from(downloads)
      .where(gt(downloads.seq, from))
      .orderBy(asc(downloads.seq))
      .limit(batchSize);
    if (rows.length === 0) break;

    // The range ends before the row that would need one item-day too many.
    const touched = new Map<string, { orgId: string; itemId: string; days: Map<string, number> }>();
    let buckets = 0;
    let through = from;
    let counted = 0;
    let cut = false;
    for (const row of rows) {
      if (row.counted) {
        const day = utcDay(row.createdAt);
        const item = touched.get(row.itemId) ?? { orgId: row.orgId, itemId: row.itemId, days: new Map<string, number>() };
        if (!item.days.has(day)) {
          if (buckets === TALLY_BUCKETS) {
            cut = true;
            break;
          }
          buckets++;
          item.days.set(day, row.createdAt);
          touched.set(row.itemId, item);
        }
        counted++;
      }
      through = row.seq!;
    }

    const inRange = and(gt(downloads.seq, from), lte(downloads.seq, through));
    const counts: SQL = sql`SELECT ${downloads.itemId} AS item_id, count(*) AS n FROM ${downloads} WHERE ${inRange} AND ${downloads.counted} = 1 GROUP BY 1`;
    const rollups: Statement[] = [];
    for (const { orgId, itemId, days } of touched.values()) {
      rollups.push(...(await events.emit("downloads.counted", { orgId, itemId, at: [...days.values()], now })));
    }
    const results = await db.batch([
      db.insert(downloadTally).values({ id: TALLY, seq: 0, updatedAt: now }).onConflictDoNothing(),
      // Only if no other run moved the position since this one read it; then the move below is void too.
      countDownload(db, counts, sql`${position} = ${from}`),
      ...rollups,
      db
        .update(downloadTally)
        .set({ seq: through, updatedAt: now })
        .where(and(eq(downloadTally.id, TALLY), eq(downloadTally.seq, from)))
        .returning({ seq: downloadTally.seq }),
    ] as [Statement, ...Statement[]]);
    // Another run took this range (its counts are in); this one stops.
    if ((results.at(-1) as unknown[]).length === 0) break;
    tallied += counted;
    if (!cut && rows.length < batchSize) break;
  }
  return tallied;
};
