/**
 * Thins a project's automatic snapshots (the room saves one every 2–10 s while people edit).
 * Kept: every manual and restore snapshot; the newest AUTO_SNAPSHOTS_KEPT auto ones; of older auto
 * ones, the last of each hour for a week, and the last of each day before that. So recent history
 * is fine-grained, old history stays reachable, and a project's snapshot count grows by about one a
 * day once it is quiet. The newest snapshot (what an empty room loads) is never touched.
 *
 * Only projects with a snapshot in the last two weeks are looked at: a project quiet for longer had
 * its last hourly snapshots turn daily (and thinned) a week after its last edit, and nothing about
 * it changes after that. So a tick reads the active projects' snapshots, not every one ever taken.
 */
import { inArray, sql } from "drizzle-orm";
import type { Job } from "../module";
import { projectSnapshots } from "./tables";

export const AUTO_SNAPSHOTS_KEPT = 50;
export const HOURLY_SNAPSHOTS_FOR_MS = 7 * 86_400_000;
/** How far back a snapshot makes a project worth thinning: the hourly window, plus a week of ticks to spare. */
export const ACTIVE_PROJECT_MS = HOURLY_SNAPSHOTS_FOR_MS + 7 * 86_400_000;
/** D1 binds at most 100 parameters per statement. */
const IDS_PER_DELETE = 90;

export const thinProjectSnapshots: Job = async ({ db, env, now, batchSize }) => {
  const doomed = await db.all<{ id: string; r2_key: string | null }>(sql`
    SELECT id, r2_key FROM (
      SELECT id, r2_key, created_at,
        row_number() OVER (PARTITION BY project_id ORDER BY created_at DESC, id DESC) AS recent,
        row_number() OVER (PARTITION BY project_id, created_at / 3600000 ORDER BY created_at DESC, id DESC) AS in_hour,
        row_number() OVER (PARTITION BY project_id, created_at / 86400000 ORDER BY created_at DESC, id DESC) AS in_day
      FROM project_snapshots
      WHERE reason = 'auto' AND project_id IN (
        SELECT p.id FROM projects p
        WHERE EXISTS (SELECT 1 FROM project_snapshots s WHERE s.project_id = p.id AND s.created_at >= ${now - ACTIVE_PROJECT_MS})
      )
    )
    WHERE recent > ${AUTO_SNAPSHOTS_KEPT} AND (CASE WHEN created_at >= ${now - HOURLY_SNAPSHOTS_FOR_MS} THEN in_hour > 1 ELSE in_day > 1 END)
    LIMIT ${batchSize}`);
  // Bytes first: if deleting them fails, the rows remain and the next tick tries again.
  const keys = doomed.flatMap((s) => (s.r2_key ? [s.r2_key] : []));
  for (let i = 0; i < keys.length; i += 1000) await env.BUCKET.delete(keys.slice(i, i + 1000));
  for (let i = 0; i < doomed.length; i += IDS_PER_DELETE) {
    await db.delete(projectSnapshots).where(
      inArray(
        projectSnapshots.id,
        doomed.slice(i, i + IDS_PER_DELETE).map((s) => s.id),
      ),
    );
  }
  return doomed.length;
};
