import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { invalidRequest } from "../errors";
import { newId, randomToken } from "../ids";
import { boolString, intString, mergeMetadata, metadata, parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import { listSchema, paramsSchema, respond, respondList } from "./common";
import { type Coupon, couponValid, redeemCoupon } from "./coupons";

const createParams = paramsSchema({
  promotion: z.object({ type: z.literal("coupon"), coupon: z.string() }).strict(),
  code: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,500}$/, "Invalid code")
    .optional(),
  active: boolString.optional(),
  expires_at: intString.optional(),
  max_redemptions: intString.optional(),
  customer: z.string().optional(),
  metadata,
});
const updateParams = paramsSchema({ active: boolString.optional(), metadata });
const listParams = listSchema({ active: boolString.optional(), code: z.string().optional(), coupon: z.string().optional() });

export type PromotionCode = StripeObject & {
  active: boolean;
  code: string;
  expires_at: number | null;
  max_redemptions: number | null;
  times_redeemed: number;
  promotion: { type: "coupon"; coupon: string };
  metadata: Record<string, string>;
};

const sameCode = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Why a promotion code cannot be applied now (Stripe's messages), or undefined when it can: active,
 * not expired, redemptions left on it and on its coupon.
 */
function unusableReason(store: ObjectStore, promo: PromotionCode): string | undefined {
  if (!promo.active) return "This promotion code is inactive.";
  if (promo.expires_at !== null && store.now() >= promo.expires_at) return "This promotion code has expired.";
  if (promo.max_redemptions !== null && promo.times_redeemed >= promo.max_redemptions) {
    return "This promotion code has reached its maximum number of redemptions.";
  }
  if (!couponValid(store, store.get<Coupon>("coupon", promo.promotion.coupon))) return "This promotion code's coupon is no longer valid.";
  return undefined;
}

/** A discount named on a Checkout Session: its coupon, checked for redemption; an unusable one is Stripe's 400. */
export function resolveDiscount(
  store: ObjectStore,
  discount: { coupon?: string; promotion_code?: string },
  param: string,
): { coupon: Coupon; promotionCode: string | null } {
  if (discount.promotion_code) {
    const promo = store.get<PromotionCode>("promotion_code", discount.promotion_code, `${param}[promotion_code]`);
    const reason = unusableReason(store, promo);
    if (reason) throw invalidRequest(reason, `${param}[promotion_code]`);
    return { coupon: store.get<Coupon>("coupon", promo.promotion.coupon), promotionCode: promo.id };
  }
  if (!discount.coupon) throw invalidRequest("You must pass either coupon or promotion_code.", param);
  const coupon = store.get<Coupon>("coupon", discount.coupon, `${param}[coupon]`);
  if (!couponValid(store, coupon)) throw invalidRequest(`Coupon ${coupon.id} is no longer valid.`, `${param}[coupon]`);
  return { coupon, promotionCode: null };
}

/** A paid checkout redeems its discount once: the promotion code's and the coupon's `times_redeemed`. */
export function redeemDiscount(store: ObjectStore, discount: { coupon: string; promotion_code: string | null }) {
  if (discount.promotion_code) {
    const promo = store.get<PromotionCode>("promotion_code", discount.promotion_code);
    store.update({ ...promo, times_redeemed: promo.times_redeemed + 1 });
  }
  redeemCoupon(store, discount.coupon);
}

export const promotionCodes = new Hono<AppEnv>()
  .post("/", (c) => {
    const params = parseParams(createParams, c.var.params);
    const store = c.var.store;
    const coupon = store.get<Coupon>("coupon", params.promotion.coupon, "promotion[coupon]");
    const code = params.code ?? randomToken(8).toUpperCase();
    // Codes are unique (in any case) among the account's active promotion codes.
    if (store.all<PromotionCode>("promotion_code").some((p) => p.active && sameCode(p.code, code))) {
      throw invalidRequest("An active promotion code with `code` already exists.", "code");
    }
    if (params.max_redemptions !== undefined && params.max_redemptions < 1) {
      throw invalidRequest("Invalid max_redemptions: must be at least 1.", "max_redemptions");
    }
    if (params.customer) store.get("customer", params.customer, "customer");
    const promo: PromotionCode = {
      id: newId("promotion_code"),
      object: "promotion_code",
      active: params.active ?? true,
      code,
      created: store.now(),
      customer: params.customer ?? null,
      customer_account: null,
      expires_at: params.expires_at ?? null,
      livemode: false,
      max_redemptions: params.max_redemptions ?? null,
      metadata: params.metadata ?? {},
      promotion: { type: "coupon", coupon: coupon.id },
      restrictions: { first_time_transaction: false, minimum_amount: null, minimum_amount_currency: null },
      times_redeemed: 0,
    };
    store.insert("promotion_code", promo);
    return respond(c, promo);
  })
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const matches = c.var.store
      .all<PromotionCode>("promotion_code")
      .filter(
        (p) =>
          (params.active === undefined || p.active === params.active) &&
          (!params.code || sameCode(p.code, params.code)) &&
          (!params.coupon || p.promotion.coupon === params.coupon),
      );
    return respondList(c, matches, params);
  })
  .get("/:id", (c) => respond(c, c.var.store.get("promotion_code", c.req.param("id"))))
  .post("/:id", (c) => {
    const params = parseParams(updateParams, c.var.params);
    const store = c.var.store;
    const current = store.get<PromotionCode>("promotion_code", c.req.param("id"));
    if (params.active === true && !current.active) {
      const clash = store
        .all<PromotionCode>("promotion_code")
        .some((p) => p.id !== current.id && p.active && sameCode(p.code, current.code));
      if (clash) throw invalidRequest("An active promotion code with `code` already exists.", "active");
    }
    const next: PromotionCode = {
      ...current,
      active: params.active ?? current.active,
      metadata: mergeMetadata(current.metadata, params.metadata),
    };
    store.update(next);
    return respond(c, next);
  });
