/** An item's reviews as its org sees them in the studio: every review, counted or not, with its report. */
import { and, eq } from "drizzle-orm";
import type { OrgReviewT } from "../../../shared/reviews";
import { userNameSql } from "../auth";
import { findOrgItem } from "../catalog";
import type { Ctx } from "../context";
import { afterCursor, newestFirst, pageOf } from "../db/keyset";
import { toReview } from "./rows";
import { reviewReports, reviews } from "./tables";

export async function listOrgReviews(
  ctx: Ctx,
  { orgId, itemId, limit, cursor }: { orgId: string; itemId: string; limit: number; cursor?: string },
) {
  const { item } = await findOrgItem(ctx.db, orgId, itemId);
  const rows = await ctx.db
    .select({
      review: reviews,
      userName: userNameSql(reviews.userId),
      report: { reason: reviewReports.reason, createdAt: reviewReports.createdAt },
    })
    .from(reviews)
    .leftJoin(reviewReports, eq(reviewReports.reviewId, reviews.id))
    .where(and(eq(reviews.itemId, item.id), afterCursor(reviews, cursor)))
    .orderBy(...newestFirst(reviews))
    .limit(limit + 1);
  const { page, nextCursor } = pageOf(rows, limit, (r) => r.review);
  const data: OrgReviewT[] = page.map((r) => ({ ...toReview(r.review, r.userName), counted: r.review.counted, report: r.report }));
  return { data, nextCursor };
}
