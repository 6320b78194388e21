/** Review shapes beyond the public Review (shared/catalog.ts): the buyer's own, the author's view, reports. */
import { z } from "zod";
import { ItemId, Review, ReviewId } from "./catalog";

/** The caller's review of an item, if any, and whether they may write or edit one now. */
export const MyReview = z
  .object({
    review: Review.nullable(),
    /** An active entitlement from a purchase, subscription or free install (a grant does not count). */
    canReview: z.boolean(),
  })
  .meta({ id: "MyReview" });

/** What an item's org sees of a review: whether its rating counts, and its report, if reported. */
export const OrgReview = Review.extend({
  /** False once the reviewer no longer holds the item as a buyer (a refund, an ended subscription). */
  counted: z.boolean(),
  report: z.object({ reason: z.string(), createdAt: z.number().int() }).nullable(),
}).meta({ id: "OrgReview" });

export const ReportReviewBody = z.object({ reason: z.string().trim().min(1, "is required").max(1000) }).meta({ id: "ReportReviewBody" });

/** A report as the operators read it: the review, its item and who reported it. */
export const ReviewReport = z
  .object({
    id: z.string(),
    reason: z.string(),
    createdAt: z.number().int(),
    orgId: z.string(),
    reportedBy: z.object({ userId: z.string(), email: z.string() }),
    item: z.object({ id: ItemId, slug: z.string(), name: z.string() }),
    review: z.object({ id: ReviewId, userName: z.string(), rating: z.number().int(), title: z.string(), body: z.string() }),
  })
  .meta({ id: "ReviewReport" });

export type MyReviewT = z.infer<typeof MyReview>;
export type OrgReviewT = z.infer<typeof OrgReview>;
export type ReviewReportT = z.infer<typeof ReviewReport>;
