/** What other domains read of versions (downloads, receipts): whole rows, with their bundle. */
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import type { ItemRow } from "./queries";
import { items, versions } from "./tables";

export type VersionRow = typeof versions.$inferSelect;

/** A version and its item; undefined if there is no such version. */
export async function findVersionWithItem(db: Db, versionId: string): Promise<{ version: VersionRow; item: ItemRow } | undefined> {
  const [found] = await db
    .select({ version: versions, item: items })
    .from(versions)
    .innerJoin(items, eq(items.id, versions.itemId))
    .where(eq(versions.id, versionId))
    .limit(1);
  return found;
}

/** An item and, if it is one of the item's, the version `versionId` (else null); undefined if there is no such item. */
export async function findItemWithVersion(
  db: Db,
  itemId: string,
  versionId: string,
): Promise<{ item: ItemRow; version: VersionRow | null } | undefined> {
  const [found] = await db
    .select({ item: items, version: versions })
    .from(items)
    .leftJoin(versions, and(eq(versions.id, versionId), eq(versions.itemId, items.id)))
    .where(eq(items.id, itemId))
    .limit(1);
  return found;
}

/** Every version of the items, yanked ones included, in no particular order. */
export async function versionRowsOf(db: Db, itemIds: readonly string[]): Promise<VersionRow[]> {
  if (itemIds.length === 0) return [];
  return db
    .select()
    .from(versions)
    .where(inArray(versions.itemId, [...itemIds]));
}
