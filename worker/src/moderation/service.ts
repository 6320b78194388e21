import { eq } from "drizzle-orm";
import type { ItemT } from "../../../shared/catalog";
import { auditInsert } from "../audit";
import { toItem } from "../catalog/queries";
import type { RequestMeta } from "../context";
import type { Db } from "../db/client";
import { items, orgs } from "../db/schema";
import { AppError, notFound } from "../http/errors";

export type ModerationAction = "unlist" | "remove" | "restore";

const STATUS_AFTER = { unlist: "unlisted", remove: "removed", restore: "published" } as const;

/**
 * An operator unlists (reachable by link, not listed), removes (gone for the public) or restores an
 * item. The reason is kept on the item while it is moderated, and in the audit log for good, under
 * the item's org so its authors see it.
 */
export async function moderateItem(
  db: Db,
  meta: RequestMeta,
  operatorId: string,
  itemId: string,
  input: { action: ModerationAction; reason: string },
): Promise<ItemT> {
  const [found] = await db
    .select({ item: items, org: { slug: orgs.slug, name: orgs.name } })
    .from(items)
    .innerJoin(orgs, eq(orgs.id, items.orgId))
    .where(eq(items.id, itemId))
    .limit(1);
  if (!found) throw notFound("Item");
  const { item } = found;
  // Only operator moderation is undone by restore; an author's own draft or unlisting is theirs.
  if (input.action === "restore" && item.moderationReason === null) {
    throw new AppError("conflict", "This item is not under moderation");
  }
  const now = Date.now();
  const status = STATUS_AFTER[input.action];
  const changes = {
    status,
    moderationReason: input.action === "restore" ? null : input.reason,
    publishedAt: status === "published" ? (item.publishedAt ?? now) : item.publishedAt,
    updatedAt: now,
  };
  await db.batch([
    db.update(items).set(changes).where(eq(items.id, itemId)),
    auditInsert(
      { db, meta },
      {
        action: "item.moderated",
        orgId: item.orgId,
        actorUserId: operatorId,
        targetType: "item",
        targetId: itemId,
        metadata: { action: input.action, reason: input.reason, from: item.status, to: status },
      },
    ),
  ]);
  return toItem({ ...item, ...changes }, found.org);
}
