/** Catalog request and response bodies: items, versions, uploads, search, reviews, entitlements. */
import { z } from "zod";
import { Cursor, TimestampMs } from "./api";
import { ITEM_SLUG, Manifest, SemverString } from "./manifest";
import { MediaImage } from "./media";

export const CATEGORIES = ["editor", "ai", "productivity", "integrations", "themes", "analytics", "developer-tools", "other"] as const;
export const PRICING = ["free", "one_time", "subscription", "metered"] as const;
export const ITEM_STATUSES = ["draft", "published", "unlisted"] as const;
export const CHANNELS = ["stable", "beta"] as const;
export const ENTITLEMENT_SOURCES = ["free", "purchase", "subscription", "grant"] as const;
export const SORTS = ["relevance", "rating", "downloads", "newest"] as const;

export const ItemSlug = z.string().min(2).max(50).regex(ITEM_SLUG, "lowercase letters, digits and inner hyphens only");
export const ItemId = z.string().regex(/^itm_[A-Za-z0-9]{16,32}$/, "must be an itm_ id");
export const VersionId = z.string().regex(/^ver_[A-Za-z0-9]{16,32}$/, "must be a ver_ id");
export const UploadId = z.string().regex(/^upl_[A-Za-z0-9]{16,32}$/, "must be an upl_ id");
export const ReviewId = z.string().regex(/^rev_[A-Za-z0-9]{16,32}$/, "must be a rev_ id");
export const Currency = z.string().regex(/^[a-z]{3}$/, "must be a lowercase ISO 4217 code like usd");
const Tag = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(30)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "lowercase letters, digits and hyphens");

/** How an item is sold. Amounts are integer minor units (cents). */
export const Pricing = z
  .discriminatedUnion("model", [
    z.object({ model: z.literal("free") }),
    z.object({ model: z.literal("one_time"), amount: z.number().int().min(50).max(10_000_000), currency: Currency }),
    z.object({
      model: z.literal("subscription"),
      amount: z.number().int().min(50).max(10_000_000),
      currency: Currency,
      interval: z.enum(["month", "year"]),
      /** The price of the other interval (yearly for a monthly item, monthly for a yearly one): buyers pick either and may switch. */
      otherIntervalAmount: z.number().int().min(50).max(10_000_000).optional(),
    }),
    z.object({
      model: z.literal("metered"),
      amount: z.number().int().min(0).max(10_000_000),
      currency: Currency,
      unit: z.string().min(1).max(40),
    }),
  ])
  .meta({ id: "Pricing" });
export type PricingT = z.infer<typeof Pricing>;

export const PLAN_INTERVALS = ["month", "year"] as const;
export type PlanInterval = (typeof PLAN_INTERVALS)[number];
/** One way to pay for a subscription item: its amount each interval. */
export interface SubscriptionPlan {
  model: "subscription";
  amount: number;
  currency: string;
  interval: PlanInterval;
}

/** The plans a subscription item offers, its primary interval first; none for other pricing. */
export function subscriptionPlans(pricing: PricingT): SubscriptionPlan[] {
  if (pricing.model !== "subscription") return [];
  const { amount, currency, interval, otherIntervalAmount } = pricing;
  const primary: SubscriptionPlan = { model: "subscription", amount, currency, interval };
  if (otherIntervalAmount === undefined) return [primary];
  return [primary, { model: "subscription", amount: otherIntervalAmount, currency, interval: interval === "month" ? "year" : "month" }];
}

const itemFields = {
  name: z.string().trim().min(1).max(80),
  summary: z.string().trim().max(200).default(""),
  description: z.string().max(50_000).default(""),
  category: z.enum(CATEGORIES),
  tags: z.array(Tag).max(10).default([]),
  pricing: Pricing.default({ model: "free" }),
};

export const CreateItemBody = z.object({ slug: ItemSlug, ...itemFields }).meta({ id: "CreateItemBody" });
export const UpdateItemBody = z
  .object({
    name: itemFields.name.optional(),
    summary: z.string().trim().max(200).optional(),
    description: z.string().max(50_000).optional(),
    category: z.enum(CATEGORIES).optional(),
    tags: z.array(Tag).max(10).optional(),
    pricing: Pricing.optional(),
    status: z.enum(ITEM_STATUSES).optional(),
  })
  .meta({ id: "UpdateItemBody" });

export const Item = z
  .object({
    id: ItemId,
    orgId: z.string(),
    orgSlug: z.string(),
    orgName: z.string(),
    slug: z.string(),
    name: z.string(),
    summary: z.string(),
    description: z.string(),
    category: z.enum(CATEGORIES),
    tags: z.array(z.string()),
    pricing: Pricing,
    status: z.enum([...ITEM_STATUSES, "removed"]),
    iconUrl: z.string().nullable(),
    screenshotUrls: z.array(z.string()),
    /** The icon as processed (state, variants, placeholder); its `url` is `iconUrl`. */
    icon: MediaImage.nullable(),
    /** Each screenshot as processed, in the order of `screenshotUrls`. */
    screenshots: z.array(MediaImage),
    reviewCount: z.number().int(),
    ratingAverage: z.number().nullable(),
    downloads: z.number().int(),
    latestVersion: z.string().nullable(),
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
    publishedAt: z.number().int().nullable(),
  })
  .meta({ id: "Item" });
export type ItemT = z.infer<typeof Item>;

/** Item images as the API takes them (SVG is refused: it can carry script); the web app downscales to fit. */
export const ITEM_IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp"] as const;
export const ITEM_IMAGE_MAX_BYTES = 20 * 1024 * 1024;
export const MAX_SCREENSHOTS = 8;

/** The item's `screenshotUrls`, each once, in the order wanted. */
export const ReorderScreenshotsBody = z
  .object({ screenshotUrls: z.array(z.string().max(300)).max(MAX_SCREENSHOTS) })
  .meta({ id: "ReorderScreenshotsBody" });

export const CreateUploadBody = z
  .object({
    version: SemverString,
    channel: z.enum(CHANNELS).default("stable"),
    changelog: z.string().max(20_000).default(""),
    manifest: Manifest,
    /** Hex SHA-256 of the bundle bytes; the upload is refused if the bytes differ. */
    sha256: z.string().regex(/^[a-f0-9]{64}$/, "must be 64 lowercase hex characters"),
    /** At most what one R2 PUT takes (5 GiB); BUNDLE_MAX_BYTES is the real, lower limit. */
    size: z
      .number()
      .int()
      .min(1)
      .max(5 * 1024 ** 3),
  })
  .meta({ id: "CreateUploadBody" });

export const Upload = z
  .object({ id: UploadId, uploadUrl: z.string(), expiresAt: z.number().int(), maxBytes: z.number().int() })
  .meta({ id: "Upload" });

export const Version = z
  .object({
    id: VersionId,
    itemId: ItemId,
    version: z.string(),
    channel: z.enum(CHANNELS),
    changelog: z.string(),
    manifest: Manifest,
    engineRange: z.string(),
    sha256: z.string(),
    size: z.number().int(),
    yanked: z.boolean(),
    createdAt: z.number().int(),
  })
  .meta({ id: "Version" });
export type VersionT = z.infer<typeof Version>;

export const SearchQuery = z.object({
  q: z.string().trim().max(200).optional(),
  category: z.enum(CATEGORIES).optional(),
  tag: Tag.optional(),
  price: z.enum(["free", "paid"]).optional(),
  /** Only items whose newest stable version supports this engine version. */
  engine: SemverString.optional(),
  sort: z.enum(SORTS).optional(),
  cursor: Cursor.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type SearchQueryT = z.infer<typeof SearchQuery>;

export const UpdateCheckBody = z
  .object({
    installed: z
      .array(z.object({ item: ItemSlug, version: SemverString }))
      .min(1)
      .max(200),
    engine: SemverString.optional(),
  })
  .meta({ id: "UpdateCheckBody" });
/** One version's entry in an update check: its number, channel and changelog. */
export const VersionChange = z
  .object({ version: z.string(), channel: z.enum(CHANNELS), changelog: z.string(), publishedAt: z.number().int() })
  .meta({ id: "VersionChange" });

export const UpdateCheckResult = z
  .object({
    data: z.array(
      z.object({
        item: z.string(),
        installed: z.string(),
        /** Newest compatible, non-yanked version per channel, or null when there is none newer. */
        stable: z.string().nullable(),
        beta: z.string().nullable(),
        /** The installed version was yanked by its author. */
        yanked: z.boolean(),
        /** The compatible, non-yanked versions newer than the installed one, newest first, with what changed in each. */
        changes: z.array(VersionChange),
      }),
    ),
  })
  .meta({ id: "UpdateCheckResult" });

export const ReviewBody = z
  .object({
    rating: z.number().int().min(1).max(5),
    title: z.string().trim().max(120).default(""),
    body: z.string().trim().max(5000).default(""),
  })
  .meta({ id: "ReviewBody" });
export const ReplyBody = z.object({ body: z.string().trim().min(1, "is required").max(5000) }).meta({ id: "ReplyBody" });
export const Review = z
  .object({
    id: ReviewId,
    itemId: ItemId,
    userId: z.string(),
    userName: z.string(),
    rating: z.number().int(),
    title: z.string(),
    body: z.string(),
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
    /** The author's public reply: `createdAt` is when it was first posted, `editedAt` its last edit. */
    reply: z.object({ body: z.string(), createdAt: z.number().int(), editedAt: z.number().int().nullable() }).nullable(),
  })
  .meta({ id: "Review" });

export const Entitlement = z
  .object({
    id: z.string(),
    itemId: ItemId,
    userId: z.string().nullable(),
    orgId: z.string().nullable(),
    source: z.enum(ENTITLEMENT_SOURCES),
    /** `disputed`: frozen while the buyer disputes the payment with their bank (back to `active` if the seller wins). */
    status: z.enum(["active", "revoked", "expired", "disputed"]),
    expiresAt: z.number().int().nullable(),
    createdAt: z.number().int(),
  })
  .meta({ id: "Entitlement" });
export const GrantBody = z
  .object({ userId: z.string().regex(/^usr_/), expiresAt: TimestampMs.optional(), reason: z.string().trim().min(1).max(500) })
  .meta({ id: "GrantBody" });
export const ModerateBody = z
  .object({ action: z.enum(["unlist", "remove", "restore"]), reason: z.string().trim().min(1).max(1000) })
  .meta({ id: "ModerateBody" });

// ---- entitlements, reviews and moderation (appended) ----
export const EntitlementId = z.string().regex(/^ent_[A-Za-z0-9]{16,32}$/, "must be an ent_ id");
/** The sources that make a holder a buyer, who may review; an operator's grant does not. */
export const REVIEWABLE_SOURCES = ["free", "purchase", "subscription"] as const;

export const MyEntitlement = Entitlement.extend({ itemSlug: z.string(), itemName: z.string() }).meta({ id: "MyEntitlement" });
/** An operator's grant names the item by id or by slug. */
export const OperatorGrantBody = GrantBody.extend({ itemId: ItemId.optional(), itemSlug: ItemSlug.optional() })
  .refine((b) => (b.itemId === undefined) !== (b.itemSlug === undefined), {
    message: "give exactly one of itemId or itemSlug",
    path: ["itemId"],
  })
  .meta({ id: "OperatorGrantBody" });
export const RevokeEntitlementBody = z.object({ reason: z.string().trim().min(1).max(500) }).meta({ id: "RevokeEntitlementBody" });
export const UpdateReviewBody = z
  .object({
    rating: z.number().int().min(1).max(5).optional(),
    title: z.string().trim().max(120).optional(),
    body: z.string().trim().max(5000).optional(),
  })
  .meta({ id: "UpdateReviewBody" });

export type EntitlementT = z.infer<typeof Entitlement>;
export type MyEntitlementT = z.infer<typeof MyEntitlement>;
export type ReviewT = z.infer<typeof Review>;
export type EntitlementSource = (typeof ENTITLEMENT_SOURCES)[number];

// ---- the author studio (appended) ----
export const ALL_ITEM_STATUSES = [...ITEM_STATUSES, "removed"] as const;
export const AuthorItemsQuery = z.object({ status: z.enum(ALL_ITEM_STATUSES).optional() });
/** An item as its org sees it in the studio's list: the public shape plus what only the author sees. */
export const AuthorItem = Item.extend({
  /** Why an operator unlisted or removed it; null when no operator acted. */
  moderationReason: z.string().nullable(),
  /** Newest non-yanked version per channel, or null when the channel has none. */
  latestVersions: z.object({ stable: z.string().nullable(), beta: z.string().nullable() }),
  /** Paid sales (order lines, fully refunded ones left out) in the last 30 days. */
  salesLast30Days: z.number().int(),
}).meta({ id: "AuthorItem" });
export type AuthorItemT = z.infer<typeof AuthorItem>;
