/**
 * People report items to the operators: each report joins the item's open case (one per item), so
 * the moderation queue shows an item once with how many reported it. Moderating the item, or an
 * operator dismissing the case, resolves it; a later report opens a new case.
 */
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { ItemReportBodyT, ModerationReportT } from "../../../shared/operator";
import { auditInsert, auditInsertIf } from "../audit";
import { findVisibleItemBySlug, itemNameSql, itemSlugSql } from "../catalog";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { afterCursor, newestFirst } from "../db/keyset";
import { AppError, notFound } from "../http/errors";
import { itemReportReporters, itemReports } from "./tables";

const openCaseOf = (itemId: string) => and(eq(itemReports.itemId, itemId), eq(itemReports.status, "open"));

export async function reportItem(
  ctx: Ctx,
  { userId, slug, input }: { userId: string; slug: string; input: ItemReportBodyT },
): Promise<{ id: string; status: "open"; createdAt: number }> {
  const { db } = ctx;
  const { item } = await findVisibleItemBySlug(db, slug);
  const now = Date.now();
  const { reason, details } = input;
  try {
    // One batch: a second report by the same person fails the reporters' key and changes nothing.
    await db.batch([
      // Opens a case unless the item has one open (the partial unique index on item_id).
      db
        .insert(itemReports)
        .values({ id: newId("itemReport"), itemId: item.id, orgId: item.orgId, status: "open", reason, details, createdAt: now })
        .onConflictDoNothing(),
      db.insert(itemReportReporters).select(
        db
          .select({
            reportId: itemReports.id,
            userId: sql`${userId}`.as("user_id"),
            reason: sql`${reason}`.as("reason"),
            details: sql`${details}`.as("details"),
            createdAt: sql`${now}`.as("created_at"),
          })
          .from(itemReports)
          .where(openCaseOf(item.id)) as never,
      ),
      db
        .update(itemReports)
        .set({ reporterCount: sql`${itemReports.reporterCount} + 1` })
        .where(openCaseOf(item.id)),
      auditInsert(ctx, {
        action: "item.reported",
        orgId: item.orgId,
        actorUserId: userId,
        targetType: "item",
        targetId: item.id,
        metadata: { reason, details },
      }),
    ]);
  } catch (err) {
    if (String(err).includes("UNIQUE")) throw new AppError("conflict", "You have already reported this item; the operators have it");
    throw err;
  }
  const [open] = await db.select({ id: itemReports.id, createdAt: itemReports.createdAt }).from(itemReports).where(openCaseOf(item.id));
  if (!open) throw notFound("Report");
  return { id: open.id, status: "open", createdAt: open.createdAt };
}

/** The statement that resolves an item's open case with `resolution`, for the batch of the action that resolves it. */
export const resolveItemReports = (
  db: Db,
  { itemId, operatorId, resolution }: { itemId: string; operatorId: string; resolution: string },
) =>
  db.update(itemReports).set({ status: "resolved", resolvedAt: Date.now(), resolvedBy: operatorId, resolution }).where(openCaseOf(itemId));

/** Item cases matching `where`, newest first, as queue entries. */
async function itemReportEntries(db: Db, where: SQL | undefined, limit: number) {
  const rows = await db
    .select({
      report: itemReports,
      itemSlug: sql<string>`coalesce(${itemSlugSql(itemReports.itemId)}, '')`,
      itemName: sql<string>`coalesce(${itemNameSql(itemReports.itemId)}, '')`,
    })
    .from(itemReports)
    .where(where)
    .orderBy(...newestFirst(itemReports))
    .limit(limit);
  return rows.map(
    ({ report: r, itemSlug, itemName }): ModerationReportT => ({
      id: r.id,
      kind: "item",
      itemId: r.itemId,
      itemSlug,
      itemName,
      orgId: r.orgId,
      reviewId: null,
      reason: r.reason,
      details: r.details,
      reporterCount: r.reporterCount,
      createdAt: r.createdAt,
      status: r.status,
    }),
  );
}

/** Item cases of one status after `cursor`, newest first: `limit + 1` of them, the caller pages. */
export const itemReportQueue = (db: Db, { status, cursor, limit }: { status: "open" | "resolved"; cursor?: string; limit: number }) =>
  itemReportEntries(db, and(eq(itemReports.status, status), afterCursor(itemReports, cursor)), limit + 1);

/** An operator closes an open item case without acting on the item; audited under the item's org. */
export async function dismissItemReport(ctx: Ctx, { operatorId, reportId }: { operatorId: string; reportId: string }) {
  const { db } = ctx;
  const [report] = await db.select().from(itemReports).where(eq(itemReports.id, reportId));
  if (!report) throw notFound("Report");
  const resolved = () => new AppError("conflict", "This report is already resolved");
  if (report.status !== "open") throw resolved();
  const now = Date.now();
  const [dismissed] = await db.batch([
    db
      .update(itemReports)
      .set({ status: "resolved", resolvedAt: now, resolvedBy: operatorId, resolution: "dismissed" })
      .where(and(eq(itemReports.id, reportId), eq(itemReports.status, "open")))
      .returning({ id: itemReports.id }),
    // Only if the UPDATE closed it: a concurrent second dismissal records nothing.
    auditInsertIf(
      ctx,
      {
        action: "report.dismissed",
        orgId: report.orgId,
        actorUserId: operatorId,
        targetType: "item_report",
        targetId: reportId,
        metadata: { itemId: report.itemId },
      },
      sql`changes() > 0`,
    ),
  ]);
  if (dismissed.length === 0) throw resolved();
  const [entry] = await itemReportEntries(db, eq(itemReports.id, reportId), 1);
  return entry!;
}
