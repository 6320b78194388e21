import { and, inArray, lt, or, sql } from "drizzle-orm";
import type { Job } from "../module";
import { downloadTokens } from "./tables";

/** Download links used up or expired more than a day ago are deleted; their downloads stay logged. */
export const purgeDownloadLinks: Job = async ({ db, now, batchSize }) => {
  const cutoff = now - 86_400_000;
  const stale = db
    .select({ id: downloadTokens.id })
    .from(downloadTokens)
    .where(
      or(
        lt(downloadTokens.expiresAt, cutoff),
        and(sql`${downloadTokens.uses} >= ${downloadTokens.maxUses}`, lt(downloadTokens.lastUsedAt, cutoff)),
      ),
    )
    .limit(batchSize);
  const deleted = await db.delete(downloadTokens).where(inArray(downloadTokens.id, stale)).returning({ id: downloadTokens.id });
  return deleted.length;
};
