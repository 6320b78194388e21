import { and, count, desc, eq, sql } from "drizzle-orm";
import type { CouponBodyT, CouponT } from "../../../shared/coupons";
import { auditInsert } from "../audit";
import { findOrgItem } from "../catalog";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import type { OrgAccess } from "../http/access";
import { AppError, notFound } from "../http/errors";
import { stripeFor } from "../stripe";
import { couponRedemptions, coupons } from "./tables";

type CouponRow = typeof coupons.$inferSelect;

const toCoupon = (row: CouponRow): CouponT => ({
  id: row.id,
  itemId: row.itemId,
  code: row.code,
  percentOff: row.percentOff,
  amountOff: row.amountOff,
  currency: row.currency,
  duration: row.duration,
  durationInMonths: row.durationInMonths,
  maxRedemptions: row.maxRedemptions,
  timesRedeemed: row.timesRedeemed,
  expiresAt: row.expiresAt,
  active: row.active,
  createdAt: row.createdAt,
});

const fieldError = (code: "unprocessable" | "conflict", field: string, message: string) =>
  new AppError(code, message, { fields: { [`body.${field}`]: [message] } });

/** What a coupon takes off a price: the rounded percent (as Stripe rounds it), or the amount, never more than the price. */
export const discountFor = (coupon: Pick<CouponRow, "percentOff" | "amountOff">, amount: number) =>
  coupon.percentOff !== null ? Math.round((amount * coupon.percentOff) / 100) : Math.min(amount, coupon.amountOff ?? 0);

/**
 * A new code for one of the org's paid one-time or subscription items (for a subscription, `duration`
 * says which invoices it discounts): the Stripe Coupon and its Promotion Code on
 * the platform account first (keyed by the new coupon's id), then the row. Codes are unique on the
 * platform in any case: a taken one is 409 on `code`.
 */
export async function createCoupon(ctx: Ctx, input: { access: OrgAccess; itemId: string; coupon: CouponBodyT }): Promise<CouponT> {
  const { env, db } = ctx;
  const { access, coupon: body } = input;
  const { item } = await findOrgItem(db, access.orgId, input.itemId);
  const pricing = item.pricing;
  // Usage is billed after the fact: a metered item's invoices have no price to take a code off.
  if (pricing.model === "free" || pricing.model === "metered") {
    throw fieldError("unprocessable", "code", "Coupons are for paid one-time and subscription items");
  }
  if (pricing.model === "one_time" && body.duration !== "once") {
    throw fieldError("unprocessable", "duration", "A one-time purchase is discounted once");
  }
  if (body.amountOff !== undefined && body.amountOff >= pricing.amount) {
    throw fieldError("unprocessable", "amountOff", "must be less than the item's price");
  }
  if (body.percentOff === 100) throw fieldError("unprocessable", "percentOff", "must be less than 100 (grant the item for free instead)");
  if (body.expiresAt !== undefined && body.expiresAt <= Date.now()) throw fieldError("unprocessable", "expiresAt", "must be in the future");
  const codeKey = body.code.toLowerCase();
  if (await findByCodeKey(db, codeKey)) throw fieldError("conflict", "code", "This code is taken");

  const id = newId("coupon");
  const stripe = stripeFor(env);
  const expiresAt = body.expiresAt === undefined ? undefined : Math.floor(body.expiresAt / 1000);
  const stripeCoupon = await stripe.coupons.create(
    {
      ...(body.percentOff !== undefined ? { percent_off: body.percentOff } : { amount_off: body.amountOff, currency: pricing.currency }),
      duration: body.duration,
      ...(body.durationInMonths !== undefined ? { duration_in_months: body.durationInMonths } : {}),
      name: body.code,
      metadata: { plaza_coupon_id: id, plaza_item_id: item.id },
    },
    { idempotencyKey: `coupon:${id}` },
  );
  const promotionCode = await stripe.promotionCodes.create(
    {
      promotion: { type: "coupon", coupon: stripeCoupon.id },
      code: body.code,
      ...(body.maxRedemptions !== undefined ? { max_redemptions: body.maxRedemptions } : {}),
      ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}),
      metadata: { plaza_coupon_id: id },
    },
    { idempotencyKey: `promotion-code:${id}` },
  );
  const row: CouponRow = {
    id,
    orgId: access.orgId,
    itemId: item.id,
    code: body.code,
    codeKey,
    percentOff: body.percentOff ?? null,
    amountOff: body.amountOff ?? null,
    currency: pricing.currency,
    duration: body.duration,
    durationInMonths: body.durationInMonths ?? null,
    maxRedemptions: body.maxRedemptions ?? null,
    timesRedeemed: 0,
    expiresAt: body.expiresAt ?? null,
    active: true,
    stripeCouponId: stripeCoupon.id,
    stripePromotionCodeId: promotionCode.id,
    createdBy: access.principal.userId,
    createdAt: Date.now(),
  };
  const [inserted] = await db.batch([
    db.insert(coupons).values(row).onConflictDoNothing().returning({ id: coupons.id }),
    auditInsert(ctx, {
      action: "coupon.created",
      orgId: access.orgId,
      actorUserId: access.principal.userId,
      targetType: "item",
      targetId: item.id,
      metadata: { couponId: id, code: body.code },
    }),
  ]);
  if (inserted.length === 0) {
    // Another request took the code meanwhile: retire the Stripe code made for this one.
    await stripe.promotionCodes.update(promotionCode.id, { active: false });
    throw fieldError("conflict", "code", "This code is taken");
  }
  return toCoupon(row);
}

async function findByCodeKey(db: Db, codeKey: string) {
  const [row] = await db.select().from(coupons).where(eq(coupons.codeKey, codeKey)).limit(1);
  return row;
}

/** An item's codes, newest first, with how often each was redeemed. */
export async function listCoupons({ db }: Ctx, input: { orgId: string; itemId: string }): Promise<CouponT[]> {
  await findOrgItem(db, input.orgId, input.itemId);
  const rows = await db
    .select()
    .from(coupons)
    .where(and(eq(coupons.orgId, input.orgId), eq(coupons.itemId, input.itemId)))
    .orderBy(desc(coupons.createdAt));
  return rows.map(toCoupon);
}

/** Stops a code working, at Stripe and here; checkouts already opened with it keep their price. Idempotent. */
export async function deactivateCoupon(ctx: Ctx, input: { access: OrgAccess; itemId: string; couponId: string }): Promise<CouponT> {
  const { env, db } = ctx;
  const { access } = input;
  const [row] = await db
    .select()
    .from(coupons)
    .where(and(eq(coupons.id, input.couponId), eq(coupons.orgId, access.orgId), eq(coupons.itemId, input.itemId)))
    .limit(1);
  if (!row) throw notFound("Coupon");
  if (!row.active) return toCoupon(row);
  await stripeFor(env).promotionCodes.update(row.stripePromotionCodeId, { active: false });
  await db.batch([
    db.update(coupons).set({ active: false }).where(eq(coupons.id, row.id)),
    auditInsert(ctx, {
      action: "coupon.deactivated",
      orgId: access.orgId,
      actorUserId: access.principal.userId,
      targetType: "item",
      targetId: row.itemId,
      metadata: { couponId: row.id, code: row.code },
    }),
  ]);
  return toCoupon({ ...row, active: false });
}

/** A code applied to a checkout: the coupon, its Stripe promotion code and what it takes off. */
export interface AppliedCoupon {
  couponId: string;
  code: string;
  stripePromotionCodeId: string;
  discountAmount: number;
}

/**
 * Checks a buyer's code for an item at `amount`: it exists for this item, is active, not expired and
 * has redemptions left. Each refusal is 422 on `promotionCode` with the reason a buyer can act on.
 */
export async function applyCoupon(
  { db }: Pick<Ctx, "db">,
  input: { itemId: string; code: string; amount: number },
): Promise<AppliedCoupon> {
  const row = await findByCodeKey(db, input.code.trim().toLowerCase());
  const refuse = (message: string) => fieldError("unprocessable", "promotionCode", message);
  if (!row || row.itemId !== input.itemId) throw refuse("This code does not exist for this item");
  if (!row.active) throw refuse("This code is no longer active");
  if (row.expiresAt !== null && row.expiresAt <= Date.now()) throw refuse("This code has expired");
  if (row.maxRedemptions !== null && row.timesRedeemed >= row.maxRedemptions) throw refuse("This code has been used up");
  return {
    couponId: row.id,
    code: row.code,
    stripePromotionCodeId: row.stripePromotionCodeId,
    discountAmount: discountFor(row, input.amount),
  };
}

/** The code of a coupon, for the order that used it. */
async function couponCode(db: Db, couponId: string): Promise<string | undefined> {
  const [row] = await db.select({ code: coupons.code }).from(coupons).where(eq(coupons.id, couponId)).limit(1);
  return row?.code;
}

/**
 * What a sale's coupon did, for its order: the discount Stripe took off with the code, and (for the
 * sale that redeems it: a payment, or a subscription's first invoice) the redemption's statements
 * for the fulfilling batch. Nothing without a coupon.
 */
export async function couponSale(
  db: Db,
  input: { couponId?: string | null; orderId: string; discountAmount: number; redeems: boolean; now: number },
) {
  if (!input.couponId) return { discount: undefined, statements: [] };
  const code = (await couponCode(db, input.couponId)) ?? null;
  const { couponId, orderId, discountAmount, now } = input;
  return {
    // A subscription's invoice after its discount ended shows none.
    discount: discountAmount > 0 ? { amount: discountAmount, code } : undefined,
    statements: input.redeems ? redemptionStatements(db, { couponId, orderId, discountAmount, now }) : [],
  };
}

/**
 * The order's redemption (once per order) and the coupon's `times_redeemed` recounted from the rows,
 * so a replayed sale counts once.
 */
function redemptionStatements(db: Db, input: { couponId: string; orderId: string; discountAmount: number; now: number }) {
  const r = couponRedemptions;
  return [
    db
      .insert(r)
      .values({ couponId: input.couponId, orderId: input.orderId, discountAmount: input.discountAmount, createdAt: input.now })
      .onConflictDoNothing(),
    db
      .update(coupons)
      .set({ timesRedeemed: sql`(SELECT ${count()} FROM ${r} WHERE ${r.couponId} = ${input.couponId})` })
      .where(eq(coupons.id, input.couponId)),
  ] as const;
}
