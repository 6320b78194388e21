import { inArray, lt } from "drizzle-orm";
import type { Job } from "../module";
import { uploads } from "./tables";

/**
 * Upload sessions are kept a day past expiry for support questions, then deleted. Their bytes
 * never outlive them: R2 only stores a bundle once its checksum matched and the version is saved.
 */
export const purgeStaleUploads: Job = async ({ db, now, batchSize }) => {
  const cutoff = now - 86_400_000;
  const deleted = await db
    .delete(uploads)
    .where(inArray(uploads.id, db.select({ id: uploads.id }).from(uploads).where(lt(uploads.expiresAt, cutoff)).limit(batchSize)))
    .returning({ id: uploads.id });
  return deleted.length;
};
