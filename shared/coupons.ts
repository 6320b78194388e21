/** Coupons: codes an item's authors give out for a percent or an amount off the item's price. */
import { z } from "zod";
import { TimestampMs } from "./api";
import { prefixedId } from "./ids";
import { MAX_AMOUNT } from "./payments";

export const CouponId = prefixedId("cpn");

/** What buyers type: letters, digits, `-` and `_` (Stripe's promotion code alphabet), matched in any case. */
export const CouponCode = z
  .string()
  .trim()
  .min(3, "at least 3 characters")
  .max(40)
  .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, - and _ only");

export const COUPON_DURATIONS = ["once", "repeating", "forever"] as const;

/**
 * A new code for one item: `percentOff` (1–100) or `amountOff` in the item's currency. `duration`
 * is how many invoices of a subscription it applies to; a one-time purchase is always `once`.
 */
export const CouponBody = z
  .object({
    code: CouponCode,
    percentOff: z.number().int().min(1).max(100).optional(),
    amountOff: z.number().int().min(1).max(MAX_AMOUNT).optional(),
    duration: z.enum(COUPON_DURATIONS).default("once"),
    durationInMonths: z.number().int().min(1).max(36).optional(),
    maxRedemptions: z.number().int().min(1).max(1_000_000).optional(),
    expiresAt: TimestampMs.optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.percentOff === undefined) === (body.amountOff === undefined)) {
      ctx.addIssue({ code: "custom", path: ["percentOff"], message: "give either a percent or an amount off" });
    }
    if ((body.duration === "repeating") !== (body.durationInMonths !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["durationInMonths"], message: "months are given exactly for a repeating duration" });
    }
  })
  .meta({ id: "CouponBody" });
export type CouponBodyT = z.infer<typeof CouponBody>;

export const Coupon = z
  .object({
    id: CouponId,
    itemId: z.string(),
    code: z.string(),
    percentOff: z.number().int().nullable(),
    amountOff: z.number().int().nullable(),
    currency: z.string(),
    duration: z.enum(COUPON_DURATIONS),
    durationInMonths: z.number().int().nullable(),
    maxRedemptions: z.number().int().nullable(),
    timesRedeemed: z.number().int(),
    expiresAt: z.number().int().nullable(),
    /** False once deactivated; an expired or used-up code stays active but is not accepted. */
    active: z.boolean(),
    createdAt: z.number().int(),
  })
  .meta({ id: "Coupon" });
export type CouponT = z.infer<typeof Coupon>;
