/**
 * Authors report a review of their item to the operators (abuse, spam, off-topic): one report per
 * review, kept with its reason and audited under the org; operators read them newest first.
 */
import { and, eq, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import type { ModerationReportT } from "../../../shared/operator";
import type { ReviewReportT } from "../../../shared/reviews";
import { auditInsert, auditInsertIf } from "../audit";
import { userEmailSql, userNameSql } from "../auth";
import { findOrgItem, itemNameSql, itemSlugSql } from "../catalog";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { afterCursor, newestFirst, pageOf } from "../db/keyset";
import type { OrgAccess } from "../http/access";
import { AppError, notFound } from "../http/errors";
import { reviewReports, reviews } from "./tables";

const alreadyReported = () => new AppError("conflict", "This review has already been reported to the operators");

export async function reportReview(
  ctx: Ctx,
  { access, itemId, reviewId, reason }: { access: OrgAccess; itemId: string; reviewId: string; reason: string },
): Promise<{ reason: string; createdAt: number }> {
  const { db } = ctx;
  const { item } = await findOrgItem(db, access.orgId, itemId);
  const [review] = await db
    .select({ id: reviews.id })
    .from(reviews)
    .where(and(eq(reviews.id, reviewId), eq(reviews.itemId, item.id)))
    .limit(1);
  if (!review) throw notFound("Review");
  const now = Date.now();
  const id = newId("reviewReport");
  try {
    // One batch: a second report fails the unique index and leaves no audit row either.
    await db.batch([
      db.insert(reviewReports).values({ id, reviewId, orgId: item.orgId, reportedBy: access.principal.userId, reason, createdAt: now }),
      auditInsert(ctx, {
        action: "review.reported",
        orgId: item.orgId,
        actorUserId: access.principal.userId,
        targetType: "review",
        targetId: reviewId,
        metadata: { itemId: item.id, reason },
      }),
    ]);
  } catch (err) {
    if (String(err).includes("UNIQUE")) throw alreadyReported();
    throw err;
  }
  return { reason, createdAt: now };
}

/** Every org's reports, newest first, with the review, its item and the reporter's e-mail (operators). */
export async function listReviewReports(ctx: Ctx, { limit, cursor }: { limit: number; cursor?: string }) {
  const rows = await ctx.db
    .select({
      report: reviewReports,
      reporterEmail: userEmailSql(reviewReports.reportedBy),
      review: { id: reviews.id, rating: reviews.rating, title: reviews.title, body: reviews.body },
      reviewerName: userNameSql(reviews.userId),
      item: { id: reviews.itemId, slug: itemSlugSql(reviews.itemId), name: itemNameSql(reviews.itemId) },
    })
    .from(reviewReports)
    .innerJoin(reviews, eq(reviews.id, reviewReports.reviewId))
    .where(afterCursor(reviewReports, cursor))
    .orderBy(...newestFirst(reviewReports))
    .limit(limit + 1);
  const { page, nextCursor } = pageOf(rows, limit, (r) => r.report);
  const data: ReviewReportT[] = page.map((r) => ({
    id: r.report.id,
    reason: r.report.reason,
    createdAt: r.report.createdAt,
    orgId: r.report.orgId,
    reportedBy: { userId: r.report.reportedBy, email: r.reporterEmail },
    item: r.item,
    review: { ...r.review, userName: r.reviewerName },
  }));
  return { data, nextCursor };
}

/** Reports matching `where`, newest first, as entries of the operators' moderation queue (details: the reported text). */
async function reviewReportEntries(db: Db, where: SQL | undefined, limit: number): Promise<ModerationReportT[]> {
  const rows = await db
    .select({
      report: reviewReports,
      review: { itemId: reviews.itemId, title: reviews.title, body: reviews.body },
      itemSlug: itemSlugSql(reviews.itemId),
      itemName: itemNameSql(reviews.itemId),
    })
    .from(reviewReports)
    .innerJoin(reviews, eq(reviews.id, reviewReports.reviewId))
    .where(where)
    .orderBy(...newestFirst(reviewReports))
    .limit(limit);
  return rows.map(({ report, review, itemSlug, itemName }) => ({
    id: report.id,
    kind: "review",
    itemId: review.itemId,
    itemSlug: itemSlug ?? "",
    itemName: itemName ?? "",
    orgId: report.orgId,
    reviewId: report.reviewId,
    reason: report.reason,
    details: [review.title, review.body].filter(Boolean).join("\n\n"),
    reporterCount: 1,
    createdAt: report.createdAt,
    status: report.resolvedAt === null ? "open" : "resolved",
  }));
}

/** Open (not yet dismissed) or resolved reports after `cursor`, newest first: `limit + 1` of them, the caller pages. */
export const reviewReportQueue = (db: Db, { status, cursor, limit }: { status: "open" | "resolved"; cursor?: string; limit: number }) =>
  reviewReportEntries(
    db,
    and(status === "open" ? isNull(reviewReports.resolvedAt) : isNotNull(reviewReports.resolvedAt), afterCursor(reviewReports, cursor)),
    limit + 1,
  );

/** An operator closes a review report (the review stays); audited under the item's org. */
export async function dismissReviewReport(ctx: Ctx, { operatorId, reportId }: { operatorId: string; reportId: string }) {
  const { db } = ctx;
  const [report] = await db.select().from(reviewReports).where(eq(reviewReports.id, reportId));
  if (!report) throw notFound("Report");
  const resolved = () => new AppError("conflict", "This report is already resolved");
  if (report.resolvedAt !== null) throw resolved();
  const now = Date.now();
  const [dismissed] = await db.batch([
    db
      .update(reviewReports)
      .set({ resolvedAt: now, resolvedBy: operatorId })
      .where(and(eq(reviewReports.id, reportId), isNull(reviewReports.resolvedAt)))
      .returning({ id: reviewReports.id }),
    // Only if the UPDATE closed it: a concurrent second dismissal records nothing.
    auditInsertIf(
      ctx,
      {
        action: "report.dismissed",
        orgId: report.orgId,
        actorUserId: operatorId,
        targetType: "review_report",
        targetId: reportId,
        metadata: { reviewId: report.reviewId },
      },
      sql`changes() > 0`,
    ),
  ]);
  if (dismissed.length === 0) throw resolved();
  const [entry] = await reviewReportEntries(db, eq(reviewReports.id, reportId), 1);
  return entry!;
}
