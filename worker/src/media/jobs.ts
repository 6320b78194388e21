import { and, inArray, lt } from "drizzle-orm";
import type { Job } from "../module";
import { enqueueMedia } from "./records";
import { media } from "./tables";

/** A row left waiting this long lost its message (or was backfilled by a migration): queued again. */
export const STALLED_AFTER_MS = 10 * 60_000;

/** Images `uploaded` or `processing` untouched for 10 minutes are queued again (each claim touches the row). */
export const processStalledMedia: Job = async (ctx) => {
  const { db, now, batchSize } = ctx;
  const stalled = await db
    .select({ id: media.id })
    .from(media)
    .where(and(inArray(media.state, ["uploaded", "processing"]), lt(media.updatedAt, now - STALLED_AFTER_MS)))
    .limit(batchSize);
  await enqueueMedia(
    ctx,
    stalled.map((m) => m.id),
  );
  return stalled.length;
};
