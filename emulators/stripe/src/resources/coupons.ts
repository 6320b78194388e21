import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { invalidRequest } from "../errors";
import { randomToken } from "../ids";
import { decimalString, intString, mergeMetadata, metadata, parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import { listSchema, paramsSchema, respond, respondList, updated } from "./common";

const createParams = paramsSchema({
  id: z.string().min(1).optional(),
  name: z.string().optional(),
  percent_off: decimalString.optional(),
  amount_off: intString.optional(),
  currency: z.string().length(3).optional(),
  duration: z.enum(["once", "repeating", "forever"]).optional(),
  duration_in_months: intString.optional(),
  max_redemptions: intString.optional(),
  redeem_by: intString.optional(),
  applies_to: z
    .object({ products: z.array(z.string()).optional() })
    .strict()
    .optional(),
  metadata,
});
const updateParams = paramsSchema({ name: z.string().optional(), metadata });

export type Coupon = StripeObject & {
  amount_off: number | null;
  percent_off: number | null;
  currency: string | null;
  duration: "once" | "repeating" | "forever";
  duration_in_months: number | null;
  max_redemptions: number | null;
  redeem_by: number | null;
  times_redeemed: number;
  valid: boolean;
  applies_to?: { products: string[] };
  metadata: Record<string, string>;
};

type CreateParams = z.output<typeof createParams>;

/** Stripe's checks: exactly one of percent_off/amount_off, a currency with amount_off, months only when repeating. */
function validateCoupon(params: CreateParams) {
  if ((params.percent_off === undefined) === (params.amount_off === undefined)) {
    throw invalidRequest("You must pass exactly one of percent_off or amount_off.", "percent_off");
  }
  if (params.percent_off !== undefined && (params.percent_off <= 0 || params.percent_off > 100)) {
    throw invalidRequest("Invalid percent_off: must be greater than 0 and at most 100.", "percent_off");
  }
  if (params.amount_off !== undefined && params.amount_off <= 0) {
    throw invalidRequest("Invalid amount_off: must be greater than 0.", "amount_off");
  }
  if (params.amount_off !== undefined && !params.currency) {
    throw invalidRequest("You must pass currency when passing amount_off.", "currency");
  }
  const repeating = params.duration === "repeating";
  if (repeating !== (params.duration_in_months !== undefined)) {
    throw invalidRequest("duration_in_months is required exactly when duration is repeating.", "duration_in_months");
  }
  if (params.max_redemptions !== undefined && params.max_redemptions < 1) {
    throw invalidRequest("Invalid max_redemptions: must be at least 1.", "max_redemptions");
  }
}

/** Whether a coupon can still be redeemed: not past `redeem_by`, redemptions left. */
export function couponValid(store: ObjectStore, coupon: Coupon): boolean {
  if (coupon.redeem_by !== null && store.now() >= coupon.redeem_by) return false;
  return coupon.max_redemptions === null || coupon.times_redeemed < coupon.max_redemptions;
}

/** What the coupon takes off an amount: rounded percent, or the fixed amount (never below zero). */
export function discountOf(coupon: Coupon, amount: number): number {
  if (coupon.percent_off !== null) return Math.min(amount, Math.round((amount * coupon.percent_off) / 100));
  return Math.min(amount, coupon.amount_off ?? 0);
}

/** Counts one redemption (a paid checkout); `valid` turns false once the last one is used. */
export function redeemCoupon(store: ObjectStore, couponId: string) {
  const coupon = store.get<Coupon>("coupon", couponId);
  const next = { ...coupon, times_redeemed: coupon.times_redeemed + 1 };
  store.update({ ...next, valid: couponValid(store, next) });
}

/** The coupon as its current state reads: `valid` follows time (redeem_by) as well as redemptions. */
export const couponNow = (store: ObjectStore, coupon: Coupon): Coupon => ({ ...coupon, valid: couponValid(store, coupon) });

export const coupons = new Hono<AppEnv>()
  .post("/", (c) => {
    const params = parseParams(createParams, c.var.params);
    validateCoupon(params);
    const store = c.var.store;
    // Stripe names coupons with a short random id (no prefix) unless one is given.
    const id = params.id ?? randomToken(8);
    if (store.find("coupon", id)) throw invalidRequest("Coupon already exists.", "id", "resource_already_exists");
    for (const [index, product] of (params.applies_to?.products ?? []).entries()) {
      store.get("product", product, `applies_to[products][${index}]`);
    }
    const coupon: Coupon = {
      id,
      object: "coupon",
      amount_off: params.amount_off ?? null,
      ...(params.applies_to?.products ? { applies_to: { products: params.applies_to.products } } : {}),
      created: store.now(),
      currency: params.currency?.toLowerCase() ?? null,
      duration: params.duration ?? "once",
      duration_in_months: params.duration_in_months ?? null,
      livemode: false,
      max_redemptions: params.max_redemptions ?? null,
      metadata: params.metadata ?? {},
      name: params.name ?? null,
      percent_off: params.percent_off ?? null,
      redeem_by: params.redeem_by ?? null,
      times_redeemed: 0,
      valid: true,
    };
    store.insert("coupon", coupon);
    return respond(c, coupon);
  })
  .get("/", (c) => {
    const params = parseParams(listSchema({}), c.var.params);
    return respondList(
      c,
      c.var.store.all<Coupon>("coupon").map((coupon) => couponNow(c.var.store, coupon)),
      params,
    );
  })
  .get("/:id", (c) => respond(c, couponNow(c.var.store, c.var.store.get<Coupon>("coupon", c.req.param("id")))))
  .post("/:id", (c) => {
    const params = parseParams(updateParams, c.var.params);
    const current = c.var.store.get<Coupon>("coupon", c.req.param("id"));
    const next: Coupon = {
      ...current,
      name: updated(params.name, current.name),
      metadata: mergeMetadata(current.metadata, params.metadata),
    };
    c.var.store.update(next);
    return respond(c, couponNow(c.var.store, next));
  });
