import { inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { mediaKeysInUse } from "../media";
import { projectAssets, projectSnapshots } from "./tables";

/**
 * Of `keys` (under `projects/`), those an asset or a large snapshot refers to, or a media row: a
 * resumable upload's file is registered `pending` from its creation, before it becomes an asset.
 */
export async function projectKeysInUse(db: Db, keys: string[]): Promise<Set<string>> {
  const [assets, snapshots] = await db.batch([
    db.select({ key: projectAssets.r2Key }).from(projectAssets).where(inArray(projectAssets.r2Key, keys)),
    db.select({ key: projectSnapshots.r2Key }).from(projectSnapshots).where(inArray(projectSnapshots.r2Key, keys)),
  ]);
  const media = await mediaKeysInUse(db, keys);
  return new Set([...assets, ...snapshots].flatMap((row) => (row.key ? [row.key] : [])).concat(...media));
}
