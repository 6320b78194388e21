import type { Job } from "../module";
import { rebuildRollups } from "./rollups";

/**
 * Rebuilds every rollup bucket from the source rows (after a bug fix, or for data older than the
 * rollups). Idempotent: a run on unchanged data changes nothing. Answers the buckets it holds.
 */
export const analyticsBackfill: Job = (ctx) => rebuildRollups(ctx.db, ctx.now);
