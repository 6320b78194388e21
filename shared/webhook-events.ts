/**
 * The outgoing webhook event catalog: every event type Plaza delivers to authors' endpoints, with
 * the zod schema of its `data` and an example. The Worker validates each event against it before
 * writing it to the outbox, and publishes it in /openapi.json as `webhooks`. Every payload is the
 * Standard Webhooks envelope `{ type, timestamp, data }`.
 */
import { z } from "zod";
import { prefixedId } from "./ids";

const at = z.number().int().meta({ description: "Milliseconds since the epoch" });
const id = (prefix: string) => prefixedId(prefix).meta({ example: `${prefix}_3Xb7QpLk9TfV2mNcRw8Y` });
const ItemRef = z.object({ id: id("itm"), slug: z.string(), name: z.string() });
const money = { amount: z.number().int().meta({ description: "Minor units (cents)" }), currency: z.string().length(3) };

const OrderData = z.object({
  id: id("ord"),
  kind: z.enum(["purchase", "subscription"]),
  status: z.enum(["paid", "partially_refunded", "refunded"]),
  ...money,
  feeAmount: z.number().int().meta({ description: "The platform's fee, minor units" }),
  taxAmount: z.number().int().meta({ description: "Sales tax/VAT included in the amount (Stripe Tax), for you to remit; 0 when none" }),
  discountAmount: z.number().int().meta({ description: "What a coupon took off the list price (the amount is after it); 0 when none" }),
  couponCode: z.string().nullable().meta({ description: "The coupon code the buyer entered, or null" }),
  amountRefunded: z.number().int(),
  email: z.string().meta({ description: "The buyer's e-mail" }),
  item: ItemRef,
  createdAt: at,
});

const EntitlementData = z.object({
  id: id("ent"),
  item: ItemRef,
  userId: id("usr"),
  source: z.enum(["free", "purchase", "subscription", "grant"]),
  status: z.enum(["active", "revoked", "expired", "disputed"]),
  expiresAt: at.nullable(),
});

const LicenseData = z.object({
  id: id("lic"),
  item: ItemRef,
  userId: id("usr"),
  key: z.string().meta({ description: "Masked: the full key is shown only to the buyer", example: "GENX-••••-••••-7KQ2" }),
  status: z.enum(["active", "revoked", "expired", "suspended", "disputed"]),
  expiresAt: at.nullable(),
});

const SubscriptionData = z.object({
  id: id("psub"),
  item: ItemRef,
  userId: id("usr"),
  status: z.string().meta({ description: "Stripe's subscription status: active, past_due, canceled, …" }),
  currentPeriodEnd: at,
  cancelAtPeriodEnd: z.boolean(),
});

const EX_ITEM = { id: "itm_3Xb7QpLk9TfV2mNcRw8Y", slug: "genx-formatter", name: "GenX Formatter" };
const EX_AT = 1_796_000_000_000;
const EX_ORDER = {
  id: "ord_9dJ2kLm4Np6Qr8St0Uv2",
  kind: "purchase",
  status: "paid",
  amount: 1900,
  currency: "usd",
  feeAmount: 220,
  taxAmount: 0,
  discountAmount: 0,
  couponCode: null,
  amountRefunded: 0,
  email: "buyer@example.com",
  item: EX_ITEM,
  createdAt: EX_AT,
};
const EX_USER = "usr_7Hg5Fd3Sa1Qw9Er7Ty5U";
const EX_LICENSE = {
  id: "lic_2Zx4Cv6Bn8Mq0Wp2Eo4R",
  item: EX_ITEM,
  userId: EX_USER,
  key: "GENX-••••-••••-7KQ2",
  status: "active",
  expiresAt: null,
};
const EX_SUB = {
  id: "psub_5Lk3Jh1Gf9Ds7Ap5Oi3U",
  item: EX_ITEM,
  userId: EX_USER,
  status: "active",
  currentPeriodEnd: EX_AT + 30 * 86_400_000,
  cancelAtPeriodEnd: true,
};
const EX_ENTITLEMENT = {
  id: "ent_8Qw6Er4Ty2Ui0Op8As6D",
  item: EX_ITEM,
  userId: EX_USER,
  source: "purchase",
  status: "active",
  expiresAt: null,
};

/** Examples for the OpenAPI document, one per type. */
export const WEBHOOK_EXAMPLES: Record<string, unknown> = {
  "order.created": EX_ORDER,
  "order.refunded": { ...EX_ORDER, status: "refunded", amountRefunded: 1900 },
  "entitlement.granted": EX_ENTITLEMENT,
  "entitlement.revoked": { ...EX_ENTITLEMENT, status: "revoked" },
  "license.created": EX_LICENSE,
  "license.revoked": { ...EX_LICENSE, status: "revoked" },
  "subscription.updated": EX_SUB,
  "subscription.canceled": { ...EX_SUB, status: "canceled" },
  "item.published": { item: EX_ITEM, publishedAt: EX_AT },
  "version.published": {
    item: EX_ITEM,
    version: "1.4.0",
    channel: "stable",
    sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    size: 482133,
    publishedAt: EX_AT,
  },
  "review.created": { id: "rev_1Aq3Sw5De7Fr9Gt1Hy3J", item: EX_ITEM, rating: 5, body: "Saves me an hour a day.", createdAt: EX_AT },
  "project.snapshot.created": {
    projectId: "prj_4Ki6Lo8Pm0Nq2Br4Cs6D",
    snapshotId: "snp_6Et8Fu0Gv2Hw4Ix6Jy8K",
    reason: "auto",
    sizeBytes: 18432,
    sha256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
    createdAt: EX_AT,
  },
  "room.member_joined": { projectId: "prj_4Ki6Lo8Pm0Nq2Br4Cs6D", userId: EX_USER, name: "Ada Lovelace", role: "write", joinedAt: EX_AT },
  "webhook.test": { endpointId: "ep_0Lz2Mx4Nc6Ov8Pb0Qn2R", message: "A test event from Plaza" },
};

export const WEBHOOK_EVENTS = {
  "order.created": { description: "A sale was paid: a purchase, or a subscription invoice.", data: OrderData },
  "order.refunded": { description: "An order was refunded, in part or in full.", data: OrderData },
  "entitlement.granted": { description: "A user got access to an item (bought, subscribed, free or granted).", data: EntitlementData },
  "entitlement.revoked": {
    description:
      "A user lost access to an item: refund, ended subscription, operator (status revoked), or its time ran out (status expired).",
    data: EntitlementData,
  },
  "license.created": { description: "A license key was issued for a purchase or a subscription.", data: LicenseData },
  "license.revoked": { description: "A license key stopped working for good.", data: LicenseData },
  "subscription.updated": { description: "A subscription changed: renewed, past due, set to cancel or resumed.", data: SubscriptionData },
  "subscription.canceled": { description: "A subscription ended.", data: SubscriptionData },
  "item.published": { description: "An item became visible in the storefront.", data: z.object({ item: ItemRef, publishedAt: at }) },
  "version.published": {
    description: "A new version of an item was published.",
    data: z.object({
      item: ItemRef,
      version: z.string(),
      channel: z.enum(["stable", "beta"]),
      sha256: z.string(),
      size: z.number().int(),
      publishedAt: at,
    }),
  },
  "review.created": {
    description: "A buyer reviewed an item.",
    data: z.object({ id: id("rev"), item: ItemRef, rating: z.number().int().min(1).max(5), body: z.string().nullable(), createdAt: at }),
  },
  "project.snapshot.created": {
    description: "A snapshot of a collaborative project was saved.",
    data: z.object({
      projectId: id("prj"),
      snapshotId: id("snp"),
      reason: z
        .enum(["auto", "manual", "restore"])
        .meta({ description: "auto: saved by the room while editing; manual: asked for; restore: the state after a restore" }),
      sizeBytes: z.number().int().nonnegative(),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .meta({ description: "Hex SHA-256 of the snapshot's bytes (a Y.js update)" }),
      createdAt: at,
    }),
  },
  "room.member_joined": {
    description: "Someone joined a project's live room (sent once per connection: a second tab joins again).",
    data: z.object({ projectId: id("prj"), userId: id("usr"), name: z.string(), role: z.enum(["read", "write"]), joinedAt: at }),
  },
  "webhook.test": {
    description: "Sent by “send a test event”: checks that an endpoint receives and verifies Plaza's webhooks.",
    data: z.object({ endpointId: z.string(), message: z.string() }),
  },
} as const satisfies Record<string, { description: string; data: z.ZodType }>;

export type WebhookEventType = keyof typeof WEBHOOK_EVENTS;
export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENTS) as [WebhookEventType, ...WebhookEventType[]];
export type WebhookEventData<T extends WebhookEventType> = z.infer<(typeof WEBHOOK_EVENTS)[T]["data"]>;

/** The body of every delivery. */
export const webhookPayload = <T extends WebhookEventType>(type: T) =>
  z.object({
    type: z.literal(type),
    timestamp: z.string().meta({ description: "ISO 8601, when the event happened" }),
    data: WEBHOOK_EVENTS[type].data,
  });
