import { and, eq, inArray, isNull, lt, ne, or } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Job } from "../module";
import { freeUnfinishedUpload, VERIFY_PICKUP_MS } from "./service";
import { tusUploads } from "./tables";

/**
 * Uploads past `expires_at` go: an unfinished one's R2 multipart upload is aborted (its parts
 * freed), its temporary objects deleted and its file's media row discarded, then its row; a
 * finished one only loses its row (what it became belongs to its domain now). A PATCH still
 * writing (a live lease) is left to finish, and a file being verified is never freed (it ends
 * complete or failed, and expires from there).
 */
export const freeExpiredUploads: Job = async ({ db, env, now, batchSize }) => {
  // At most 90 a run: the delete binds one parameter per id (D1 takes 100).
  const expired = await db
    .select()
    .from(tusUploads)
    .where(
      and(
        lt(tusUploads.expiresAt, now),
        ne(tusUploads.state, "verifying"),
        or(isNull(tusUploads.lockedUntil), lt(tusUploads.lockedUntil, now)),
      ),
    )
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

/**
 * Verifying uploads whose message was lost (not picked up within VERIFY_PICKUP_MS) or whose
 * consumer died (its lease ran out) are queued again; each gets another VERIFY_PICKUP_MS first, so
 * the next tick does not queue it twice. A duplicate message does nothing (the consumer claims it).
 */
export const verifyStalledUploads: Job = async ({ db, env, now, batchSize }) => {
  const stalledNow = and(eq(tusUploads.state, "verifying"), lt(tusUploads.lockedUntil, now));
  // At most 90 a run: the update binds one parameter per id (D1 takes 100).
  const stalled = await db.select({ id: tusUploads.id }).from(tusUploads).where(stalledNow).limit(Math.min(batchSize, 90));
  if (!stalled.length) return 0;
  const requeued = await db
    .update(tusUploads)
    .set({ lockToken: null, lockedUntil: now + VERIFY_PICKUP_MS })
    .where(
      and(
        stalledNow,
        inArray(
          tusUploads.id,
          stalled.map((u) => u.id),
        ),
      ),
    )
    .returning({ id: tusUploads.id });
  if (requeued.length) await env.UPLOADS_QUEUE.sendBatch(requeued.map((u) => ({ body: { uploadId: u.id } })));
  return requeued.length;
};

/** Of `keys` (under `uploads/tus/`), those an upload on record still holds: its staged file or its pending bytes. */
export async function uploadKeysInUse(db: Db, keys: string[]): Promise<Set<string>> {
  const [staged, pending] = await db.batch([
    db.select({ key: tusUploads.r2Key }).from(tusUploads).where(inArray(tusUploads.r2Key, keys)),
    db.select({ key: tusUploads.pendingKey }).from(tusUploads).where(inArray(tusUploads.pendingKey, keys)),
  ]);
  return new Set([...staged, ...pending].flatMap((row) => (row.key ? [row.key] : [])));
}
