/** The author's one public reply to a review of their org's item: posted once, then edited in place. */
import { and, eq, isNotNull, isNull } from "drizzle-orm";
import type { ReviewT } from "../../../shared/catalog";
import { auditInsert } from "../audit";
import { findOrgItem } from "../catalog";
import type { Ctx } from "../context";
import type { OrgAccess } from "../http/access";
import { AppError, notFound } from "../http/errors";
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
    .select({ id: reviews.id, replyBody: reviews.replyBody })
    .from(reviews)
    .where(and(eq(reviews.id, reviewId), eq(reviews.itemId, item.id)))
    .limit(1);
  if (!review) throw notFound("Review");
  return { item, replied: review.replyBody !== null };
}

/** The first reply, guarded by `reply_body IS NULL`: true when this call wrote it. */
async function postFirstReply(ctx: Ctx, item: { id: string; orgId: string }, { access, reviewId, body }: ReplyInput) {
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
  ]);
  // A racing second reply loses the guard; its audit row is the only trace.
  return replied.length > 0;
}

/** `POST …/reply`: the first reply only (409 once there is one). */
export async function replyToReview(ctx: Ctx, input: ReplyInput): Promise<ReviewT> {
  const { item, replied } = await findOrgReview(ctx, input);
  if (replied || !(await postFirstReply(ctx, item, input))) throw alreadyReplied();
  await announce(ctx, item);
  return (await reviewWithName(ctx.db, eq(reviews.id, input.reviewId)))!;
}

/**
 * `PUT …/reply`: posts the reply, or edits the one there is. An edit changes the text and its
 * edited time; who first replied and when stay, and the editor is in the audit log.
 */
export async function setReply(ctx: Ctx, input: ReplyInput): Promise<ReviewT> {
  const { item, replied } = await findOrgReview(ctx, input);
  // A first reply that lost a race to another first reply becomes an edit of it.
  if (replied || !(await postFirstReply(ctx, item, input))) {
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
