import { and, inArray, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Job } from "../module";
import { freeUnfinishedUpload } from "./service";
import { tusUploads } from "./tables";

/**
 * Uploads past `expires_at` go: an unfinished one's R2 multipart upload is aborted (its parts
 * freed), its temporary objects deleted and its file's media row discarded, then its row; a
 * finished one only loses its row (what it became belongs to its domain now). A PATCH still
 * writing (a live lease) is left to finish.
 */
export const freeExpiredUploads: Job = async ({ db, env, now, batchSize }) => {
  // At most 90 a run: the delete binds one parameter per id (D1 takes 100).
  const expired = await db
    .select()
    .from(tusUploads)
    .where(and(lt(tusUploads.expiresAt, now), or(isNull(tusUploads.lockedUntil), lt(tusUploads.lockedUntil, now))))
    .limit(Math.min(batchSize, 90));
  for (const upload of expired) if (upload.state !== "complete") await freeUnfinishedUpload({ db, env }, upload);
  if (expired.length)
    await db.delete(tusUploads).where(
      inArray(
        tusUploads.id,
        expired.map((u) => u.id),
      ),
    );
  return expired.length;
};

/** Of `keys` (under `uploads/tus/`), those an upload on record still holds: its staged file or its pending bytes. */
export async function uploadKeysInUse(db: Db, keys: string[]): Promise<Set<string>> {
  const [staged, pending] = await db.batch([
    db.select({ key: tusUploads.r2Key }).from(tusUploads).where(inArray(tusUploads.r2Key, keys)),
    db.select({ key: tusUploads.pendingKey }).from(tusUploads).where(inArray(tusUploads.pendingKey, keys)),
  ]);
  return new Set([...staged, ...pending].flatMap((row) => (row.key ? [row.key] : [])));
}
