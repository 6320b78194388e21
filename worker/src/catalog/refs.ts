/**
 * What other domains may know of items by id: their public reference (id, slug, name), one or
 * many, an item by slug in any status, and the slug as SQL for statements that read it in place.
 */
import { eq, inArray, type SQLWrapper, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { subquery } from "../db/subquery";
import { items } from "./tables";

/** How other domains name an item in lists, mail and webhook payloads. */
export interface ItemRef {
  id: string;
  slug: string;
  name: string;
}

const refColumns = { id: items.id, slug: items.slug, name: items.name };

export async function findItemRef(db: Db, itemId: string): Promise<ItemRef | undefined> {
  const [row] = await db.select(refColumns).from(items).where(eq(items.id, itemId)).limit(1);
  return row;
}

/** D1 binds at most 100 parameters per statement. */
const IDS_PER_QUERY = 100;

/** The references of the items among `itemIds` that exist, by id. */
export async function itemRefsById(db: Db, itemIds: readonly string[]): Promise<Map<string, ItemRef>> {
  const unique = [...new Set(itemIds)];
  const refs = new Map<string, ItemRef>();
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
    const rows = await db
      .select(refColumns)
      .from(items)
      .where(inArray(items.id, unique.slice(i, i + IDS_PER_QUERY)));
    for (const row of rows) refs.set(row.id, row);
  }
  return refs;
}

/** The items among `slugs` that exist (in any status), with their org, by slug. */
export async function itemOwnersBySlug(db: Db, slugs: readonly string[]): Promise<Map<string, { id: string; orgId: string }>> {
  const unique = [...new Set(slugs)];
  const owners = new Map<string, { id: string; orgId: string }>();
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
    const rows = await db
      .select({ id: items.id, orgId: items.orgId, slug: items.slug })
      .from(items)
      .where(inArray(items.slug, unique.slice(i, i + IDS_PER_QUERY)));
    for (const { slug, ...owner } of rows) owners.set(slug, owner);
  }
  return owners;
}

/** An item by slug in any status (a draft or removed one too): the caller decides what it may do with it. */
export async function findItemBySlug(db: Db, slug: string) {
  const [row] = await db.select().from(items).where(eq(items.slug, slug)).limit(1);
  return row;
}

/** SQL: the slug of the item `itemId` (a column or a value), for a hot path that reads it in place. */
export const itemSlugSql = (itemId: SQLWrapper | string) =>
  subquery<string>(sql`(SELECT ${items.slug} FROM ${items} WHERE ${items.id} = ${itemId})`);

/** SQL: the name of the item `itemId` (a column or a value), for lists that name their items. */
export const itemNameSql = (itemId: SQLWrapper | string) =>
  subquery<string>(sql`(SELECT ${items.name} FROM ${items} WHERE ${items.id} = ${itemId})`);
