/**
 * The moderation queue: item reports (moderation) and review reports (reviews) in one newest-first
 * list. Each source reads `limit + 1` after the same cursor in the same order, so the merged page
 * and its cursor are exactly those of one keyset list over both.
 */
import { ID_PREFIX } from "../../../shared/ids";
import type { ModerationReportT } from "../../../shared/operator";
import type { Ctx } from "../context";
import { pageOf } from "../db/keyset";
import { notFound } from "../http/errors";
import { dismissItemReport, itemReportQueue } from "../moderation";
import { dismissReviewReport, reviewReportQueue } from "../reviews";

const newestFirst = (a: ModerationReportT, b: ModerationReportT) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export async function moderationQueue(
  { db }: Ctx,
  query: { status: "open" | "resolved"; cursor?: string; limit: number },
): Promise<{ data: ModerationReportT[]; nextCursor: string | null }> {
  const [items, reviews] = await Promise.all([itemReportQueue(db, query), reviewReportQueue(db, query)]);
  const { page, nextCursor } = pageOf([...items, ...reviews].sort(newestFirst), query.limit, (r) => r);
  return { data: page, nextCursor };
}

/** Dismisses an item or a review report, told apart by its id's prefix. */
export function dismissReport(ctx: Ctx, input: { operatorId: string; reportId: string }): Promise<ModerationReportT> {
  if (input.reportId.startsWith(`${ID_PREFIX.itemReport}_`)) return dismissItemReport(ctx, input);
  if (input.reportId.startsWith(`${ID_PREFIX.reviewReport}_`)) return dismissReviewReport(ctx, input);
  throw notFound("Report");
}
