/** The author's one public reply to a review of their org's item: posted once, then edited in place. */
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { ReviewT } from "../../../shared/catalog";
import { auditInsert } from "../audit";
import { findOrgItem } from "../catalog";
import type { Ctx } from "../context";
import type { OrgAccess } from "../http/access";
import { AppError, notFound } from "../http/errors";
import { enqueueMail } from "../mail";
import { notificationStatements } from "../notifications";
import { reviewWithName } from "./rows";
import { announce } from "./service";
import { reviews } from "./tables";

interface ReplyInput {
  access: OrgAccess;
  itemId: string;
  reviewId: string;
  body: string;
}

const alreadyReplied = () => new AppError("conflict", "This review already has a reply; PUT the reply to edit it");

/** The review of the org's item (tenancy from `findOrgItem`), and whether it has a reply yet. */
async function findOrgReview(ctx: Ctx, { access, itemId, reviewId }: Omit<ReplyInput, "body">) {
  const { item } = await findOrgItem(ctx.db, access.orgId, itemId);
  const [review] = await ctx.db
    .select({ id: reviews.id, replyBody: reviews.replyBody, reviewerId: reviews.userId })
    .from(reviews)
    .where(and(eq(reviews.id, reviewId), eq(reviews.itemId, item.id)))
    .limit(1);
  if (!review) throw notFound("Review");
  return { item, replied: review.replyBody !== null, reviewerId: review.reviewerId };
}

/**
 * The first reply, guarded by `reply_body IS NULL`: true when this call wrote it. The reviewer is
 * notified of it in its batch (once per review: a racing second first reply adds no notice).
 */
async function postFirstReply(
  ctx: Ctx,
  { item, reviewerId }: { item: { id: string; orgId: string; name: string; slug: string }; reviewerId: string },
  { access, reviewId, body }: ReplyInput,
) {
  const notice = await notificationStatements(ctx, {
    type: "review_reply",
    recipients: { userIds: [reviewerId] },
    title: `The author of ${item.name} replied to your review`,
    body: body.length > 280 ? `${body.slice(0, 279)}…` : body,
    link: `/review/${encodeURIComponent(item.slug)}`,
    orgId: item.orgId,
    cause: reviewId,
    onlyIf: sql`EXISTS (SELECT 1 FROM ${reviews} WHERE ${reviews.id} = ${reviewId} AND ${reviews.replyBody} IS NOT NULL)`,
  });
  const [replied] = await ctx.db.batch([
    ctx.db
      .update(reviews)
      .set({ replyBody: body, replyAt: Date.now(), replyBy: access.principal.userId, replyEditedAt: null })
      .where(and(eq(reviews.id, reviewId), eq(reviews.itemId, item.id), isNull(reviews.replyBody)))
      .returning({ id: reviews.id }),
    auditInsert(ctx, {
      action: "review.replied",
      orgId: item.orgId,
      actorUserId: access.principal.userId,
      targetType: "review",
      targetId: reviewId,
      metadata: { itemId: item.id },
    }),
    ...notice.statements,
  ]);
  await enqueueMail(ctx, notice.mailIds);
  // A racing second reply loses the guard; its audit row is the only trace.
  return replied.length > 0;
}

/** `POST …/reply`: the first reply only (409 once there is one). */
export async function replyToReview(ctx: Ctx, input: ReplyInput): Promise<ReviewT> {
  const { item, replied, reviewerId } = await findOrgReview(ctx, input);
  if (replied || !(await postFirstReply(ctx, { item, reviewerId }, input))) throw alreadyReplied();
  await announce(ctx, item);
  return (await reviewWithName(ctx.db, eq(reviews.id, input.reviewId)))!;
}

/**
 * `PUT …/reply`: posts the reply, or edits the one there is. An edit changes the text and its
 * edited time; who first replied and when stay, and the editor is in the audit log.
 */
export async function setReply(ctx: Ctx, input: ReplyInput): Promise<ReviewT> {
  const { item, replied, reviewerId } = await findOrgReview(ctx, input);
  // A first reply that lost a race to another first reply becomes an edit of it.
  if (replied || !(await postFirstReply(ctx, { item, reviewerId }, input))) {
    const { access, reviewId, body } = input;
    await ctx.db.batch([
      ctx.db
        .update(reviews)
        .set({ replyBody: body, replyEditedAt: Date.now() })
        .where(and(eq(reviews.id, reviewId), eq(reviews.itemId, item.id), isNotNull(reviews.replyBody))),
      auditInsert(ctx, {
        action: "review.reply_edited",
        orgId: item.orgId,
        actorUserId: access.principal.userId,
        targetType: "review",
        targetId: reviewId,
        metadata: { itemId: item.id },
      }),
    ]);
  }
  await announce(ctx, item);
  return (await reviewWithName(ctx.db, eq(reviews.id, input.reviewId)))!;
}
