import { and, eq, sql } from "drizzle-orm";
import { REVIEWABLE_SOURCES, type ReviewT } from "../../../shared/catalog";
import type { MyReviewT } from "../../../shared/reviews";
import { findVisibleItemBySlug, type ItemRow } from "../catalog";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { afterCursor, newestFirst, pageOf } from "../db/keyset";
import { findActiveEntitlement, holdsReviewableEntitlement } from "../entitlements";
import { AppError, notFound } from "../http/errors";
import { enqueueMail } from "../mail";
import { notificationStatements } from "../notifications";
import { enqueueWebhookEvents, webhookEventIf } from "../webhooks";
import { addNewReview, replaceRating, subtractReview } from "./aggregate";
import { reviewWithName, toReview, withName } from "./rows";
import { reviews } from "./tables";

/** Pages showing the item's rating and reviews are out of date once the batch ran. */
export const announce = (ctx: Ctx, item: Pick<ItemRow, "id" | "orgId">) =>
  ctx.events.emit("catalog.changed", { orgId: item.orgId, itemIds: [item.id] });

const alreadyReviewed = () => new AppError("conflict", "You have already reviewed this item; edit your review instead");
const notABuyer = () =>
  new AppError(
    "forbidden",
    "Only buyers of this item may review it: you need active access from a purchase, a subscription or a free install (a refund ends it)",
  );

/**
 * A visible item's counted reviews, newest first. Reviews whose author no longer holds the item
 * are left out, so the list agrees with the item's review count and average.
 */
export async function listReviews(ctx: Ctx, { slug, limit, cursor }: { slug: string; limit: number; cursor?: string }) {
  const { item } = await findVisibleItemBySlug(ctx.db, slug);
  const rows = await withName(ctx.db)
    .where(and(eq(reviews.itemId, item.id), eq(reviews.counted, true), afterCursor(reviews, cursor)))
    .orderBy(...newestFirst(reviews))
    .limit(limit + 1);
  const { page: pageRows, nextCursor } = pageOf(rows, limit, (r) => r.review);
  return {
    data: pageRows.map((r) => toReview(r.review, r.userName)),
    nextCursor,
  };
}

/**
 * One review per buyer per item. The insert is conditioned on the entitlement in the same batch as
 * the aggregate update, so a refund landing between the check and the write cannot leave a counted
 * review behind; the unique index (item, user) turns a racing second review into 409.
 */
export async function createReview(
  ctx: Ctx,
  { userId, slug, input }: { userId: string; slug: string; input: { rating: number; title: string; body: string } },
): Promise<ReviewT> {
  const { db } = ctx;
  const { item } = await findVisibleItemBySlug(db, slug);
  if (!(await findActiveEntitlement(db, userId, item.id, REVIEWABLE_SOURCES))) throw notABuyer();
  const [existing] = await db
    .select({ id: reviews.id })
    .from(reviews)
    .where(and(eq(reviews.itemId, item.id), eq(reviews.userId, userId)))
    .limit(1);
  if (existing) throw alreadyReviewed();

  const now = Date.now();
  const id = newId("review");
  const insertIfBuyer = db.insert(reviews).select(
    db
      .select({
        id: sql<string>`${id}`.as("id"),
        itemId: sql<string>`${item.id}`.as("item_id"),
        userId: sql<string>`${userId}`.as("user_id"),
        rating: sql<number>`${input.rating}`.as("rating"),
        title: sql<string>`${input.title}`.as("title"),
        body: sql<string>`${input.body}`.as("body"),
        counted: sql<boolean>`1`.as("counted"),
        createdAt: sql<number>`${now}`.as("created_at"),
        updatedAt: sql<number>`${now}`.as("updated_at"),
        replyBody: sql<string | null>`NULL`.as("reply_body"),
        replyAt: sql<number | null>`NULL`.as("reply_at"),
        replyBy: sql<string | null>`NULL`.as("reply_by"),
        replyEditedAt: sql<number | null>`NULL`.as("reply_edited_at"),
      })
      .from(sql`(SELECT 1)`)
      .where(holdsReviewableEntitlement(item.id, userId, now)),
  );
  const event = await webhookEventIf(
    db,
    item.orgId,
    "review.created",
    { id, item: { id: item.id, slug: item.slug, name: item.name }, rating: input.rating, body: input.body || null, createdAt: now },
    sql`EXISTS (SELECT 1 FROM ${reviews} WHERE ${reviews.id} = ${id})`,
    { cause: id, now },
  );
  const notice = await newReviewNotice(ctx, { item, reviewId: id, rating: input.rating, title: input.title, now });
  try {
    await db.batch([insertIfBuyer, addNewReview(db, item.id, id), event.insert, ...notice.statements]);
  } catch (err) {
    if (String(err).includes("UNIQUE")) throw alreadyReviewed();
    throw err;
  }
  const created = await reviewWithName(db, eq(reviews.id, id));
  if (!created) throw notABuyer();
  await enqueueWebhookEvents(ctx.env, [event.id]);
  await enqueueMail(ctx, notice.mailIds);
  await announce(ctx, item);
  return created;
}

/** The org admins' notification of a new review, written only with the review (only a buyer's is). */
function newReviewNotice(ctx: Ctx, input: { item: ItemRow; reviewId: string; rating: number; title: string; now: number }) {
  const { item, reviewId } = input;
  return notificationStatements(ctx, {
    type: "review",
    recipients: { orgId: item.orgId, minRole: "admin" },
    title: `A new review of ${item.name}: ${input.rating} of 5 stars`,
    body: input.title ? `"${input.title}"` : "A buyer rated it without a title.",
    link: `/dashboard/items/${item.id}/reviews`,
    orgId: item.orgId,
    cause: reviewId,
    onlyIf: sql`EXISTS (SELECT 1 FROM ${reviews} WHERE ${reviews.id} = ${reviewId})`,
    now: input.now,
  });
}

async function findMyReview(db: Db, userId: string, slug: string) {
  const { item } = await findVisibleItemBySlug(db, slug);
  const [mine] = await db
    .select()
    .from(reviews)
    .where(and(eq(reviews.itemId, item.id), eq(reviews.userId, userId)))
    .limit(1);
  if (!mine) throw notFound("Review");
  return { item, mine };
}

export async function updateMyReview(
  ctx: Ctx,
  { userId, slug, input }: { userId: string; slug: string; input: { rating?: number; title?: string; body?: string } },
): Promise<ReviewT> {
  const { db } = ctx;
  const { item, mine } = await findMyReview(db, userId, slug);
  const rating = input.rating ?? mine.rating;
  const [, updated] = await db.batch([
    replaceRating(db, mine.itemId, userId, rating),
    db
      .update(reviews)
      .set({ rating, title: input.title ?? mine.title, body: input.body ?? mine.body, updatedAt: Date.now() })
      .where(eq(reviews.id, mine.id))
      .returning({ id: reviews.id }),
  ]);
  if (updated.length === 0) throw notFound("Review");
  await announce(ctx, item);
  return (await reviewWithName(db, eq(reviews.id, mine.id)))!;
}

export async function deleteMyReview(ctx: Ctx, { userId, slug }: { userId: string; slug: string }) {
  const { db } = ctx;
  const { item, mine } = await findMyReview(db, userId, slug);
  const [, deleted] = await db.batch([
    subtractReview(db, mine.itemId, userId),
    db.delete(reviews).where(eq(reviews.id, mine.id)).returning({ id: reviews.id }),
  ]);
  if (deleted.length === 0) throw notFound("Review");
  await announce(ctx, item);
}

/** The caller's review of a visible item (a refunded one too), and whether they may write or edit one now. */
export async function myReview(ctx: Ctx, { userId, slug }: { userId: string; slug: string }): Promise<MyReviewT> {
  const { item } = await findVisibleItemBySlug(ctx.db, slug);
  const [review, entitlement] = await Promise.all([
    reviewWithName(ctx.db, and(eq(reviews.itemId, item.id), eq(reviews.userId, userId))!),
    findActiveEntitlement(ctx.db, userId, item.id, REVIEWABLE_SOURCES),
  ]);
  return { review: review ?? null, canReview: entitlement !== undefined };
}

/** Every review the caller wrote, newest first: one per item they bought, so no more than their library. */
export async function listMyReviews(ctx: Ctx, { userId }: { userId: string }): Promise<ReviewT[]> {
  const rows = await withName(ctx.db)
    .where(eq(reviews.userId, userId))
    .orderBy(...newestFirst(reviews));
  return rows.map((r) => toReview(r.review, r.userName));
}
