/** The studio's list of an org's items: every status, with what only its authors see. */
import { and, desc, eq, isNull } from "drizzle-orm";
import { rcompare } from "semver";
import type { AuthorItemT, ItemT } from "../../../shared/catalog";
import type { Ctx } from "../context";
import { AppError } from "../http/errors";
import { findOrg } from "../orgs";
import { itemColumns, toItem } from "./queries";
import { items, versions } from "./tables";

export type AuthorItemBase = Omit<AuthorItemT, "salesLast30Days">;

/**
 * The org's items (of one status, or the one `itemId`, when given), most recently changed first,
 * each with its newest version per channel.
 */
export async function listAuthorItems(
  ctx: Ctx,
  { orgId, status, itemId }: { orgId: string; status?: ItemT["status"]; itemId?: string },
): Promise<AuthorItemBase[]> {
  const { db } = ctx;
  const org = await findOrg(db, orgId);
  if (!org) throw new AppError("not_found", "Org not found");
  const [rows, live] = await Promise.all([
    db
      .select(itemColumns)
      .from(items)
      .where(and(eq(items.orgId, orgId), status ? eq(items.status, status) : undefined, itemId ? eq(items.id, itemId) : undefined))
      .orderBy(desc(items.updatedAt))
      .limit(500),
    db
      .select({ itemId: versions.itemId, channel: versions.channel, version: versions.version })
      .from(versions)
      // Through items: their org index, then versions by item (versions has no org index).
      .innerJoin(items, eq(items.id, versions.itemId))
      .where(and(eq(items.orgId, orgId), itemId ? eq(items.id, itemId) : undefined, isNull(versions.yankedAt))),
  ]);
  // Semver order, not text order: 1.10.0 is newer than 1.9.0.
  const newest = new Map<string, string>();
  for (const v of live) {
    const key = `${v.itemId} ${v.channel}`;
    const seen = newest.get(key);
    if (!seen || rcompare(v.version, seen) < 0) newest.set(key, v.version);
  }
  return rows.map((row) => ({
    ...toItem(row, org),
    moderationReason: row.moderationReason,
    latestVersions: { stable: newest.get(`${row.id} stable`) ?? null, beta: newest.get(`${row.id} beta`) ?? null },
  }));
}
