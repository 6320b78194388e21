import { and, eq, sql } from "drizzle-orm";
import { auditInsert } from "../audit";
import { findAccount, findAccountByEmail } from "../auth";
import { findOrgItem, findVisibleItemBySlug } from "../catalog";
import type { Ctx } from "../context";
import { derivedId } from "../crypto/random";
import { AppError, notFound } from "../http/errors";
import { creditEntries, subscriptions } from "./tables";

/** SQL (binding ?3 = item id, ?4 = user id): the buyer's prepaid balance, the sum of its append-only entries. */
export const CREDIT_BALANCE_SQL = "SELECT coalesce(sum(amount), 0) FROM credit_entries WHERE user_id = ?4 AND item_id = ?3";

export async function creditBalance({ db }: Pick<Ctx, "db">, { userId, itemId }: { userId: string; itemId: string }) {
  const [row] = await db
    .select({ balance: sql<number>`coalesce(sum(${creditEntries.amount}), 0)` })
    .from(creditEntries)
    .where(and(eq(creditEntries.userId, userId), eq(creditEntries.itemId, itemId)));
  return { itemId, userId, balance: row?.balance ?? 0 };
}

/** The buyer's balance for a visible item, by its slug. */
export async function itemCreditBalance(ctx: Ctx, { userId, slug }: { userId: string; slug: string }) {
  const { item } = await findVisibleItemBySlug(ctx.db, slug);
  return creditBalance(ctx, { userId, itemId: item.id });
}

/**
 * An author grants a buyer prepaid credits for one of the org's items (a credit pack sold
 * elsewhere, a goodwill gesture). The org-scoped reference makes a repeated grant a no-op.
 */
export async function grantCredits(
  ctx: Ctx,
  input: { orgId: string; itemId: string; userId: string; amount: number; reason: string; reference: string; actorUserId: string },
) {
  const { db } = ctx;
  const { item } = await findOrgItem(db, input.orgId, input.itemId);
  const user = await findAccount(db, input.userId);
  if (!user) throw notFound("User");
  const reference = `grant:${input.orgId}:${input.reference}`;
  await db.batch([
    db
      .insert(creditEntries)
      .values({
        id: await derivedId("creditEntry", reference),
        userId: user.id,
        itemId: item.id,
        amount: input.amount,
        reason: input.reason,
        reference,
        createdAt: Date.now(),
      })
      .onConflictDoNothing(),
    auditInsert(ctx, {
      action: "credits.granted",
      orgId: input.orgId,
      actorUserId: input.actorUserId,
      targetType: "item",
      targetId: item.id,
      metadata: { userId: user.id, amount: input.amount, reason: input.reason, reference: input.reference },
    }),
  ]);
  return creditBalance(ctx, { userId: user.id, itemId: item.id });
}

/**
 * A buyer of the org's item by e-mail, with their balance: someone who subscribes (or subscribed)
 * to it or holds credits for it. Anyone else is not found, so an author cannot probe which
 * e-mail addresses have Plaza accounts.
 */
export async function itemCreditHolder(ctx: Ctx, input: { orgId: string; itemId: string; email: string }) {
  const { db } = ctx;
  const { item } = await findOrgItem(db, input.orgId, input.itemId);
  const account = await findAccountByEmail(db, input.email);
  const [subscribed, credited] = account
    ? await Promise.all([
        db
          .select({ id: subscriptions.id })
          .from(subscriptions)
          .where(and(eq(subscriptions.userId, account.id), eq(subscriptions.itemId, item.id)))
          .limit(1),
        db
          .select({ id: creditEntries.id })
          .from(creditEntries)
          .where(and(eq(creditEntries.userId, account.id), eq(creditEntries.itemId, item.id)))
          .limit(1),
      ])
    : [[], []];
  if (!account || subscribed.length + credited.length === 0)
    throw new AppError("not_found", "Nobody with that e-mail address subscribes to this item or holds its credits");
  return { ...(await creditBalance(ctx, { userId: account.id, itemId: item.id })), email: account.email };
}
