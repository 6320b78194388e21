import type { ItemT } from "../../../shared/catalog";
import { auditInsert } from "../audit";
import { findItem, type ModerationState, moderationStatement, toItem } from "../catalog";
import type { Ctx } from "../context";
import { AppError, notFound } from "../http/errors";
import { enqueueMail } from "../mail";
import { notificationStatements } from "../notifications";
import { resolveItemReports } from "./reports";

export type ModerationAction = "unlist" | "remove" | "restore";

const STATUS_AFTER = { unlist: "unlisted", remove: "removed", restore: "published" } as const;

/**
 * An operator unlists (reachable by link, not listed), removes (gone for the public) or restores an
 * item. The reason is kept on the item while it is moderated, and in the audit log for good, under
 * the item's org so its authors see it.
 */
export async function moderateItem(
  ctx: Ctx,
  { operatorId, itemId, input }: { operatorId: string; itemId: string; input: { action: ModerationAction; reason: string } },
): Promise<ItemT> {
  const found = await findItem(ctx.db, itemId);
  if (!found) throw notFound("Item");
  const { item } = found;
  // Only operator moderation is undone by restore; an author's own draft or unlisting is theirs.
  if (input.action === "restore" && item.moderationReason === null) {
    throw new AppError("conflict", "This item is not under moderation");
  }
  const now = Date.now();
  const status = STATUS_AFTER[input.action];
  const changes: ModerationState = {
    status,
    moderationReason: input.action === "restore" ? null : input.reason,
    publishedAt: status === "published" ? (item.publishedAt ?? now) : item.publishedAt,
    updatedAt: now,
  };
  const notice = await takenDownNotice(ctx, { item, action: input.action, reason: input.reason, now });
  await ctx.db.batch([
    moderationStatement(ctx.db, itemId, changes),
    // Acting on the item answers the reports about it.
    resolveItemReports(ctx.db, { itemId, operatorId, resolution: input.action }),
    auditInsert(ctx, {
      action: "item.moderated",
      orgId: item.orgId,
      actorUserId: operatorId,
      targetType: "item",
      targetId: itemId,
      metadata: { action: input.action, reason: input.reason, from: item.status, to: status },
    }),
    ...notice.statements,
  ]);
  await enqueueMail(ctx, notice.mailIds);
  await ctx.events.emit("catalog.changed", { orgId: item.orgId, itemIds: [itemId] });
  return toItem({ ...item, ...changes }, found.org);
}

/** The org's admins are told why an operator unlisted or removed their item (a restore tells nobody). */
async function takenDownNotice(
  ctx: Ctx,
  {
    item,
    action,
    reason,
    now,
  }: { item: { id: string; orgId: string; name: string }; action: ModerationAction; reason: string; now: number },
) {
  if (action === "restore") return { statements: [], mailIds: [] };
  const done = action === "unlist" ? "unlisted" : "removed";
  return notificationStatements(ctx, {
    type: "item_unlisted",
    recipients: { orgId: item.orgId, minRole: "admin" },
    title: `An operator ${done} ${item.name}`,
    body: `Reason: ${reason}`,
    link: `/dashboard/items/${item.id}`,
    orgId: item.orgId,
    cause: `${item.id}:${now}`,
    now,
  });
}
