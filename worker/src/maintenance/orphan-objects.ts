import { eq } from "drizzle-orm";
import { chunked } from "../db/chunked";
import type { Job } from "../module";
import { jobCursors } from "./tables";

const JOB = "delete-orphan-objects";
/** Younger objects may belong to a write still under way (stored, its row not yet saved). */
export const ORPHAN_MIN_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Walks the bucket one page a run (at most `batchSize` objects, from where the last run stopped)
 * and deletes each object older than a day under a declared prefix that its owner says nothing
 * refers to. Objects under no declared prefix are never touched. Answers how many it deleted.
 */
export const deleteOrphanObjects: Job = async ({ db, env, now, batchSize, objects }) => {
  const [cursor] = await db.select().from(jobCursors).where(eq(jobCursors.job, JOB)).limit(1);
  const page = await env.BUCKET.list({ startAfter: cursor?.position ?? undefined, limit: Math.min(batchSize, 1000) });
  const old = page.objects.filter((o) => o.uploaded.getTime() < now - ORPHAN_MIN_AGE_MS).map((o) => o.key);
  let deleted = 0;
  for (const owner of objects) {
    // One bound parameter per key handed to `inUse`.
    for (const keys of chunked(old.filter((key) => key.startsWith(owner.prefix)))) {
      const used = await owner.inUse(db, keys);
      const orphans = keys.filter((key) => !used.has(key));
      if (orphans.length) await env.BUCKET.delete(orphans);
      deleted += orphans.length;
    }
  }
  // The end of the bucket: the next run starts again from its beginning.
  const position = page.truncated ? (page.objects.at(-1)?.key ?? cursor?.position ?? null) : null;
  await db
    .insert(jobCursors)
    .values({ job: JOB, position, updatedAt: Date.now() })
    .onConflictDoUpdate({ target: jobCursors.job, set: { position, updatedAt: Date.now() } });
  return deleted;
};
