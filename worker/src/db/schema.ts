/**
 * Plaza's D1 schema: the single source of truth for tables. `npm run db:generate` turns changes
 * into a migration under migrations/. Timestamps are integer ms UTC; ids are prefixed random strings.
 */
import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { CATEGORIES, PricingT } from "../../../shared/catalog";
import type { ManifestT } from "../../../shared/manifest";
import type { Role, TokenScope } from "../../../shared/roles";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash").notNull(),
  emailVerifiedAt: integer("email_verified_at"),
  isOperator: integer("is_operator", { mode: "boolean" }).notNull().default(false),
  activeOrgId: text("active_org_id"),
  createdAt: integer("created_at").notNull(),
});

/** One row per login; the refresh tokens of a login form its family. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
    revokeReason: text("revoke_reason"),
    userAgent: text("user_agent"),
    ip: text("ip"),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

/** Rotating refresh tokens. Only the SHA-256 is stored; a used token presented again revokes its session. */
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("refresh_tokens_session_idx").on(t.sessionId)],
);

/** Single-use tokens sent by e-mail: address verification and magic sign-in links. Stored hashed. */
export const emailTokens = sqliteTable(
  "email_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    purpose: text("purpose", { enum: ["verify_email", "magic_link"] }).notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("email_tokens_expires_idx").on(t.expiresAt)],
);

export const orgs = sqliteTable("orgs", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull(),
});

export const memberships = sqliteTable(
  "memberships",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role").$type<Role>().notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index("memberships_user_idx").on(t.userId)],
);

export const invites = sqliteTable(
  "invites",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    role: text("role").$type<Role>().notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    invitedBy: text("invited_by").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    acceptedAt: integer("accepted_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    index("invites_org_idx").on(t.orgId),
    index("invites_expires_idx").on(t.expiresAt),
    // One open invite per address per org; re-inviting replaces it.
    uniqueIndex("invites_open_email_idx").on(t.orgId, t.email).where(sql`accepted_at IS NULL AND revoked_at IS NULL`),
  ],
);

export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    prefix: text("prefix").notNull(),
    scopes: text("scopes", { mode: "json" }).$type<TokenScope[]>().notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    expiresAt: integer("expires_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_tokens_user_idx").on(t.userId)],
);

/** Append-only. `org_id` is null for events of a user alone (a login), shown to that user's orgs. */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id"),
    actorUserId: text("actor_user_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    ip: text("ip"),
    requestId: text("request_id"),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("audit_org_idx").on(t.orgId, t.createdAt), index("audit_actor_idx").on(t.actorUserId, t.createdAt)],
);

/** Fixed-window counters of every rate limit (worker/src/http/rate-limit.ts): logins, e-mails, License API, webhooks. */
export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull(),
});

/** Outbox of e-mail: written with the change that causes it, then sent by the mail queue consumer. */
export const mailMessages = sqliteTable(
  "mail_messages",
  {
    id: text("id").primaryKey(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html").notNull(),
    status: text("status", { enum: ["queued", "sent", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    sentAt: integer("sent_at"),
    /**
     * Set for mail rendered when it is sent (a receipt's download links must be fresh): the
     * template's name, and its data sealed (it carries the license key). Text and HTML are then
     * filled in by the consumer.
     */
    template: text("template", { enum: ["receipt"] }),
    payload: text("payload"),
    /** Bodies carry one-time links and keys: they are stored sealed (AES-256-GCM, ENCRYPTION_KEYS). */
    sealed: integer("sealed", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [index("mail_status_idx").on(t.status, t.createdAt)],
);

export const jobRuns = sqliteTable(
  "job_runs",
  {
    id: text("id").primaryKey(),
    job: text("job").notNull(),
    /** The cron tick this run belongs to; a tick runs each job at most once. */
    scheduledAt: integer("scheduled_at").notNull(),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
    status: text("status", { enum: ["running", "succeeded", "failed"] }).notNull(),
    processed: integer("processed").notNull().default(0),
    error: text("error"),
  },
  (t) => [uniqueIndex("job_runs_tick_idx").on(t.job, t.scheduledAt)],
);

// ---- catalog ----

/**
 * Items for sale. `seq` is an integer key only so the FTS5 index (items_fts, kept in sync by
 * triggers in migrations/) can use it as its rowid; everything else refers to `id`.
 */
export const items = sqliteTable(
  "items",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    summary: text("summary").notNull(),
    description: text("description").notNull(),
    category: text("category").$type<(typeof CATEGORIES)[number]>().notNull(),
    /** Space-separated, so FTS tokenizes it; `item_tags` is the filterable copy. */
    tags: text("tags").notNull(),
    pricing: text("pricing", { mode: "json" }).$type<PricingT>().notNull(),
    /** Denormalised from `pricing` for the free/paid filter. */
    isFree: integer("is_free", { mode: "boolean" }).notNull(),
    status: text("status", { enum: ["draft", "published", "unlisted", "removed"] }).notNull(),
    moderationReason: text("moderation_reason"),
    iconKey: text("icon_key"),
    screenshotKeys: text("screenshot_keys", { mode: "json" }).$type<string[]>().notNull(),
    reviewCount: integer("review_count").notNull().default(0),
    ratingSum: integer("rating_sum").notNull().default(0),
    downloads: integer("downloads").notNull().default(0),
    /** Newest non-yanked stable version and its engine range, for listing and the engine filter. */
    latestVersion: text("latest_version"),
    latestEngineRange: text("latest_engine_range"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    publishedAt: integer("published_at"),
  },
  (t) => [
    index("items_org_idx").on(t.orgId),
    index("items_status_published_idx").on(t.status, t.publishedAt),
    index("items_status_downloads_idx").on(t.status, t.downloads),
    index("items_category_idx").on(t.category, t.status),
  ],
);

export const itemTags = sqliteTable(
  "item_tags",
  {
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    tag: text("tag").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tag, t.itemId] }), index("item_tags_item_idx").on(t.itemId)],
);

export const versions = sqliteTable(
  "versions",
  {
    id: text("id").primaryKey(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    version: text("version").notNull(),
    channel: text("channel", { enum: ["stable", "beta"] }).notNull(),
    changelog: text("changelog").notNull(),
    manifest: text("manifest", { mode: "json" }).$type<ManifestT>().notNull(),
    engineRange: text("engine_range").notNull(),
    bundleKey: text("bundle_key").notNull(),
    bundleSha256: text("bundle_sha256").notNull(),
    bundleSize: integer("bundle_size").notNull(),
    publishedBy: text("published_by").notNull(),
    createdAt: integer("created_at").notNull(),
    yankedAt: integer("yanked_at"),
  },
  (t) => [uniqueIndex("versions_item_version_idx").on(t.itemId, t.version)],
);

/**
 * A version being published: metadata validated up front, bytes PUT next. Only a complete upload
 * becomes a version row; stale ones are purged by maintenance, so nothing partial is ever listed.
 */
export const uploads = sqliteTable(
  "uploads",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    version: text("version").notNull(),
    channel: text("channel", { enum: ["stable", "beta"] }).notNull(),
    changelog: text("changelog").notNull(),
    manifest: text("manifest", { mode: "json" }).$type<ManifestT>().notNull(),
    sha256: text("sha256").notNull(),
    size: integer("size").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    completedAt: integer("completed_at"),
  },
  (t) => [index("uploads_expires_idx").on(t.expiresAt)],
);

/** One row answers "may this user use, download and review this item". */
export const entitlements = sqliteTable(
  "entitlements",
  {
    id: text("id").primaryKey(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    source: text("source", { enum: ["free", "purchase", "subscription", "grant"] }).notNull(),
    status: text("status", { enum: ["active", "revoked", "expired"] }).notNull(),
    /** The order, subscription or grant reason behind it. */
    reference: text("reference"),
    grantedBy: text("granted_by"),
    expiresAt: integer("expires_at"),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    // A buyer holds at most one entitlement per item and source (a repeat claim is a no-op).
    uniqueIndex("entitlements_user_item_source_idx").on(t.userId, t.itemId, t.source),
    index("entitlements_item_idx").on(t.itemId),
  ],
);

export const reviews = sqliteTable(
  "reviews",
  {
    id: text("id").primaryKey(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    rating: integer("rating").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    /** Whether the rating is in the item's aggregate; false once the reviewer's entitlement ends. */
    counted: integer("counted", { mode: "boolean" }).notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    replyBody: text("reply_body"),
    replyAt: integer("reply_at"),
    replyBy: text("reply_by"),
  },
  (t) => [uniqueIndex("reviews_item_user_idx").on(t.itemId, t.userId), index("reviews_item_created_idx").on(t.itemId, t.createdAt)],
);

// ---- payments ----

/**
 * An author org's Stripe Connect Express account. The account id is stored only AES-256-GCM
 * encrypted (`keyId:iv:tag:ciphertext`); `account_lookup` is its keyed hash, so an incoming
 * `account.updated` event finds its org without decrypting every row.
 */
export const connectAccounts = sqliteTable("connect_accounts", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => orgs.id, { onDelete: "cascade" }),
  accountIdEncrypted: text("account_id_encrypted").notNull(),
  accountLookup: text("account_lookup").notNull().unique(),
  chargesEnabled: integer("charges_enabled", { mode: "boolean" }).notNull().default(false),
  payoutsEnabled: integer("payouts_enabled", { mode: "boolean" }).notNull().default(false),
  detailsSubmitted: integer("details_submitted", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** One Stripe customer per buyer e-mail, reused by every checkout (signed-in or guest). */
export const stripeCustomers = sqliteTable("stripe_customers", {
  email: text("email").primaryKey(),
  customerId: text("customer_id").notNull().unique(),
  createdAt: integer("created_at").notNull(),
});

/** The Stripe price for an item's pricing; a pricing change makes a new one (prices are immutable). */
export const stripePrices = sqliteTable(
  "stripe_prices",
  {
    priceId: text("price_id").primaryKey(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    /** Canonical JSON of the pricing this price charges. */
    pricingKey: text("pricing_key").notNull(),
    productId: text("product_id").notNull(),
    meterEventName: text("meter_event_name"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("stripe_prices_item_pricing_idx").on(t.itemId, t.pricingKey)],
);

/** A Checkout Session Plaza opened, with what it was for (the fulfillment reads amounts from Stripe). */
export const checkouts = sqliteTable(
  "checkouts",
  {
    id: text("id").primaryKey(),
    sessionId: text("session_id").notNull().unique(),
    orgId: text("org_id").notNull(),
    itemId: text("item_id").notNull(),
    userId: text("user_id"),
    email: text("email"),
    mode: text("mode", { enum: ["payment", "subscription"] }).notNull(),
    priceId: text("price_id").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    feeAmount: integer("fee_amount").notNull(),
    status: text("status", { enum: ["open", "complete"] }).notNull(),
    createdAt: integer("created_at").notNull(),
    completedAt: integer("completed_at"),
  },
  (t) => [index("checkouts_item_idx").on(t.itemId)],
);

/**
 * Every Stripe event received, once by its id: the webhook route only inserts it and enqueues its
 * id; the queue consumer processes it. `processed` / `ignored` rows are never processed again.
 */
export const stripeEvents = sqliteTable(
  "stripe_events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    /** Set for Connect events: the connected account they concern. */
    account: text("account"),
    payload: text("payload").notNull(),
    status: text("status", { enum: ["received", "processed", "ignored", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    receivedAt: integer("received_at").notNull(),
    processedAt: integer("processed_at"),
  },
  (t) => [index("stripe_events_status_idx").on(t.status, t.receivedAt)],
);

/**
 * A paid sale: one per completed payment-mode checkout or paid subscription invoice, keyed by that
 * Stripe object's id (`source_id`), so any number of deliveries make one order.
 */
export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    sourceId: text("source_id").notNull().unique(),
    kind: text("kind", { enum: ["purchase", "subscription"] }).notNull(),
    orgId: text("org_id").notNull(),
    userId: text("user_id").notNull(),
    email: text("email").notNull(),
    status: text("status", { enum: ["paid", "refunded", "partially_refunded"] }).notNull(),
    amount: integer("amount").notNull(),
    feeAmount: integer("fee_amount").notNull(),
    amountRefunded: integer("amount_refunded").notNull().default(0),
    currency: text("currency").notNull(),
    paymentIntentId: text("payment_intent_id"),
    subscriptionId: text("subscription_id"),
    /** The checkout that started it (a subscription's later invoices carry it too). */
    checkoutId: text("checkout_id"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("orders_checkout_idx").on(t.checkoutId),
    index("orders_org_idx").on(t.orgId, t.createdAt),
    index("orders_user_idx").on(t.userId, t.createdAt),
    uniqueIndex("orders_payment_intent_idx").on(t.paymentIntentId),
  ],
);

export const orderItems = sqliteTable(
  "order_items",
  {
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    itemId: text("item_id").notNull(),
    orgId: text("org_id").notNull(),
    priceId: text("price_id"),
    quantity: integer("quantity").notNull(),
    amount: integer("amount").notNull(),
    entitlementId: text("entitlement_id"),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.itemId] })],
);

/**
 * A refund Plaza asked Stripe for, written before the call. `pending` until `charge.refunded` books
 * it into the order's `amount_refunded` (then `succeeded`, in the same batch), so what is left to
 * refund is amount − amount_refunded − pending refunds. `failed` when Stripe refused it (or reports it
 * failed), `canceled` when Stripe canceled it. `idempotency_key` is the client's, one refund per order
 * and key; `request_hash` is the body it came with.
 */
export const refunds = sqliteTable(
  "refunds",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    reason: text("reason").notNull(),
    stripeRefundId: text("stripe_refund_id").unique(),
    status: text("status", { enum: ["pending", "succeeded", "failed", "canceled"] }).notNull(),
    requestedBy: text("requested_by").notNull(),
    idempotencyKey: text("idempotency_key"),
    requestHash: text("request_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("refunds_idempotency_idx").on(t.orderId, t.idempotencyKey),
    index("refunds_order_status_idx").on(t.orderId, t.status),
  ],
);

/**
 * Append-only money ledger. `account` is an org id (the author's share) or `platform`. An entry is
 * keyed by what caused it (`reference`, e.g. `sale:ord_…`, `refund:re_…`), so replays add nothing.
 * Balances and revenue are sums over it; nothing ever updates or deletes a row.
 */
export const ledgerEntries = sqliteTable(
  "ledger_entries",
  {
    id: text("id").primaryKey(),
    account: text("account").notNull(),
    type: text("type", { enum: ["sale", "platform_fee", "refund", "fee_refund", "payout"] }).notNull(),
    /** Signed minor units: positive credits the account. */
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    orderId: text("order_id"),
    reference: text("reference").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("ledger_reference_idx").on(t.reference, t.account, t.type), index("ledger_account_idx").on(t.account, t.createdAt)],
);

/** A buyer's subscription to an item, mirrored from Stripe (re-fetched on every event about it). */
export const subscriptions = sqliteTable(
  "subscriptions",
  {
    id: text("id").primaryKey(),
    stripeSubscriptionId: text("stripe_subscription_id").notNull().unique(),
    orgId: text("org_id").notNull(),
    itemId: text("item_id").notNull(),
    userId: text("user_id").notNull(),
    customerId: text("customer_id").notNull(),
    status: text("status").notNull(),
    currentPeriodEnd: integer("current_period_end").notNull(),
    cancelAtPeriodEnd: integer("cancel_at_period_end", { mode: "boolean" }).notNull(),
    /** While past due, access lasts until here; then the entitlement lapses. */
    graceUntil: integer("grace_until"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("subscriptions_user_idx").on(t.userId), index("subscriptions_org_idx").on(t.orgId)],
);

/** Usage of a metered item, idempotent per buyer by the client's key; reported to Stripe by a queue. */
export const usageRecords = sqliteTable(
  "usage_records",
  {
    id: text("id").primaryKey(),
    subscriptionId: text("subscription_id").notNull(),
    itemId: text("item_id").notNull(),
    userId: text("user_id").notNull(),
    clientKey: text("client_key").notNull(),
    quantity: integer("quantity").notNull(),
    /** Part of `quantity` paid from prepaid credits; only the rest is billed. */
    creditsUsed: integer("credits_used").notNull().default(0),
    recordedAt: integer("recorded_at").notNull(),
    reportedAt: integer("reported_at"),
  },
  (t) => [uniqueIndex("usage_client_key_idx").on(t.userId, t.clientKey), index("usage_unreported_idx").on(t.reportedAt, t.recordedAt)],
);

/** Append-only prepaid credits per buyer and item: grants add, usage subtracts. */
export const creditEntries = sqliteTable(
  "credit_entries",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    itemId: text("item_id").notNull(),
    amount: integer("amount").notNull(),
    reason: text("reason").notNull(),
    reference: text("reference").notNull().unique(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("credit_user_item_idx").on(t.userId, t.itemId)],
);

// ---- licenses ----

/** An item's license settings, set by its author; without a row the defaults apply. */
export const licensePolicies = sqliteTable("license_policies", {
  itemId: text("item_id")
    .primaryKey()
    .references(() => items.id, { onDelete: "cascade" }),
  orgId: text("org_id").notNull(),
  /** 4 letters or digits that start every key issued for the item. */
  keyPrefix: text("key_prefix").notNull(),
  maxActivations: integer("max_activations").notNull(),
  updatedAt: integer("updated_at").notNull(),
  updatedBy: text("updated_by").notNull(),
});

/**
 * A license key, one per purchased item and per subscription, following its entitlement. Only the
 * key's HMAC (`key_hash`, keyed with LICENSE_KEY_SECRET) and its last group are stored. The id is
 * derived from the order or subscription, so issuing it again writes nothing.
 */
export const licenses = sqliteTable(
  "licenses",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    entitlementId: text("entitlement_id").notNull(),
    /** The purchase's order; null for a subscription's license (it outlives each invoice's order). */
    orderId: text("order_id"),
    subscriptionId: text("subscription_id"),
    keyHash: text("key_hash").notNull().unique(),
    keyPrefix: text("key_prefix").notNull(),
    lastGroup: text("last_group").notNull(),
    status: text("status", { enum: ["active", "revoked", "expired", "suspended"] }).notNull(),
    /** Null for purchases; a subscription's mirrors its entitlement's expiry (period end or grace). */
    expiresAt: integer("expires_at"),
    /** Taken from the item's policy when issued: what the buyer bought. */
    maxActivations: integer("max_activations").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    revokedAt: integer("revoked_at"),
    /** The expiry the buyer was last warned about (14 days ahead), so each is warned of once. */
    expiryWarnedFor: integer("expiry_warned_for"),
  },
  (t) => [
    index("licenses_user_idx").on(t.userId, t.createdAt),
    index("licenses_order_idx").on(t.orderId),
    index("licenses_subscription_idx").on(t.subscriptionId),
    index("licenses_entitlement_idx").on(t.entitlementId),
    index("licenses_status_expires_idx").on(t.status, t.expiresAt),
  ],
);

/** An installation a license is activated on, one per (license, fingerprint). */
export const licenseActivations = sqliteTable(
  "license_activations",
  {
    id: text("id").primaryKey(),
    licenseId: text("license_id")
      .notNull()
      .references(() => licenses.id, { onDelete: "cascade" }),
    fingerprint: text("fingerprint").notNull(),
    name: text("name"),
    createdAt: integer("created_at").notNull(),
    lastValidatedAt: integer("last_validated_at"),
  },
  (t) => [uniqueIndex("license_activations_fingerprint_idx").on(t.licenseId, t.fingerprint)],
);

/**
 * The one-time reveal of a new key: sealed with AES-256-GCM (ENCRYPTION_KEYS), written in the
 * fulfillment batch only by the attempt whose license row won, deleted when the checkout's status
 * endpoint shows it, and purged by maintenance once `expires_at` passes unread.
 */
export const licenseReveals = sqliteTable(
  "license_reveals",
  {
    licenseId: text("license_id")
      .primaryKey()
      .references(() => licenses.id, { onDelete: "cascade" }),
    checkoutId: text("checkout_id").notNull(),
    sealedKey: text("sealed_key").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("license_reveals_checkout_idx").on(t.checkoutId), index("license_reveals_expires_idx").on(t.expiresAt)],
);

// ---- downloads ----

/**
 * The server side of a signed download link, keyed by the token's id (its nonce). The link itself
 * is never stored: it is an HMAC over (key id, token id, entitlement, version, expiry) with a
 * DOWNLOAD_TOKEN_KEYS key. `uses` only rises through a guarded UPDATE (`uses < max_uses`), so
 * concurrent clicks never exceed the limit. Purged a day after it expired or was used up.
 */
export const downloadTokens = sqliteTable(
  "download_tokens",
  {
    id: text("id").primaryKey(),
    /** The DOWNLOAD_TOKEN_KEYS entry that signed it (a key may be dropped once none is live). */
    keyId: text("key_id").notNull(),
    orgId: text("org_id").notNull(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    versionId: text("version_id")
      .notNull()
      .references(() => versions.id, { onDelete: "cascade" }),
    entitlementId: text("entitlement_id").notNull(),
    userId: text("user_id").notNull(),
    uses: integer("uses").notNull().default(0),
    maxUses: integer("max_uses").notNull(),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    index("download_tokens_expires_idx").on(t.expiresAt),
    index("download_tokens_spent_idx").on(t.lastUsedAt).where(sql`uses >= max_uses`),
  ],
);

/**
 * Append-only log of downloads: one row per request that sent bytes (a whole bundle or a range),
 * written in the same batch that spends a use of the link. The per-buyer daily limit counts these
 * rows, and a row for a version means its buyer "had" it should it be yanked later.
 */
export const downloads = sqliteTable(
  "downloads",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    versionId: text("version_id").notNull(),
    userId: text("user_id").notNull(),
    entitlementId: text("entitlement_id").notNull(),
    tokenId: text("token_id").notNull(),
    /** First byte sent; 0 for the whole bundle. */
    rangeStart: integer("range_start").notNull(),
    bytes: integer("bytes").notNull(),
    /** Counted in `items.downloads`: a whole bundle or a range from byte 0, not a resumed one. */
    counted: integer("counted", { mode: "boolean" }).notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("downloads_user_item_idx").on(t.userId, t.itemId, t.createdAt),
    index("downloads_user_version_idx").on(t.userId, t.versionId),
    index("downloads_item_idx").on(t.itemId, t.createdAt),
  ],
);

/**
 * Authors' webhook endpoints. The signing secret is sealed (AES-256-GCM); after a rotation the
 * previous one is kept, sealed, for 24 hours and deliveries carry both signatures meanwhile.
 */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description").notNull(),
    /** Event types delivered; null: every type. */
    eventTypes: text("event_types", { mode: "json" }).$type<string[] | null>(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    /** Why Plaza disabled it (410 Gone, failing for 5 days); null when enabled or disabled by hand. */
    disabledReason: text("disabled_reason"),
    /** Deliveries per second at most; null: no limit. */
    rateLimit: integer("rate_limit"),
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: integer("previous_secret_expires_at"),
    /** The first failure since the last success: 5 days of nothing but failures disables it. */
    failingSince: integer("failing_since"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("webhook_endpoints_org_idx").on(t.orgId, t.createdAt)],
);

/** The webhook outbox: one row per event, written in the same batch as the change it reports. */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    type: text("type").notNull(),
    /** The delivered body, exactly: `{ type, timestamp, data }` as JSON. */
    payload: text("payload").notNull(),
    createdAt: integer("created_at").notNull(),
    /** When the dispatcher fanned it out to the org's endpoints; null until then. */
    dispatchedAt: integer("dispatched_at"),
  },
  (t) => [index("webhook_events_org_idx").on(t.orgId, t.createdAt), index("webhook_events_dispatch_idx").on(t.dispatchedAt, t.createdAt)],
);

/** One event to one endpoint. Its id is derived from the pair, so a re-dispatch adds nothing. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id")
      .notNull()
      .references(() => webhookEvents.id, { onDelete: "cascade" }),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    /** `skipped`: not sent, the endpoint was disabled when the event was dispatched; `recover` sends it. */
    status: text("status", { enum: ["pending", "delivered", "failed", "skipped"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** A consumer holding the delivery until then; a duplicate queue message waits it out. */
    leasedUntil: integer("leased_until"),
    nextAttemptAt: integer("next_attempt_at"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    deliveredAt: integer("delivered_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_pair_idx").on(t.eventId, t.endpointId),
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.status, t.createdAt),
  ],
);

/** Every attempt, with what the endpoint answered (first 2 KB). (delivery, attempt) is unique. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: text("id").primaryKey(),
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    endpointId: text("endpoint_id").notNull(),
    orgId: text("org_id").notNull(),
    attempt: integer("attempt").notNull(),
    statusCode: integer("status_code"),
    latencyMs: integer("latency_ms").notNull(),
    response: text("response"),
    error: text("error"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("webhook_attempts_delivery_idx").on(t.deliveryId, t.attempt),
    index("webhook_attempts_endpoint_idx").on(t.endpointId, t.createdAt),
    index("webhook_attempts_event_idx").on(t.eventId, t.createdAt),
  ],
);

// ---- projects and rooms ----

/**
 * A project: an org's collaborative document (its Y.Doc lives in a PartyKit room whose id is the
 * project id) plus non-collaborative settings in `state`. `member_role` is what plain members get
 * in the room and API; admins and owners always write.
 */
export const projects = sqliteTable(
  "projects",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    memberRole: text("member_role", { enum: ["write", "read"] }).notNull(),
    state: text("state", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("projects_org_idx").on(t.orgId, t.createdAt)],
);

/** Items installed into a project; the installer's entitlement decides whether it is still active. */
export const projectItems = sqliteTable(
  "project_items",
  {
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    installedBy: text("installed_by").notNull(),
    installedAt: integer("installed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.itemId] }), index("project_items_item_idx").on(t.itemId)],
);

/** Files of a project, bytes in R2 under `projects/<id>/assets/…` (a fresh key per upload). */
export const projectAssets = sqliteTable(
  "project_assets",
  {
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    orgId: text("org_id").notNull(),
    r2Key: text("r2_key").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.name] })],
);

/**
 * Saved states of a project's Y.Doc (`Y.encodeStateAsUpdate`). Small ones inline in `body`, larger
 * ones in R2 at `r2_key`; exactly one of the two is set.
 */
export const projectSnapshots = sqliteTable(
  "project_snapshots",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    reason: text("reason", { enum: ["auto", "manual", "restore"] }).notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    sha256: text("sha256").notNull(),
    body: blob("body", { mode: "buffer" }),
    r2Key: text("r2_key"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("project_snapshots_project_idx").on(t.projectId, t.createdAt, t.id)],
);

/** Room events (member joined/left), keyed by the room's own `rev_` id so a retried POST records nothing twice. */
export const roomEvents = sqliteTable(
  "room_events",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    type: text("type", { enum: ["member_joined", "member_left"] }).notNull(),
    userId: text("user_id").notNull(),
    role: text("role", { enum: ["read", "write"] }).notNull(),
    connectionId: text("connection_id").notNull(),
    at: integer("at").notNull(),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [index("room_events_project_idx").on(t.projectId, t.at)],
);

/**
 * Sockets a room admitted: the room asks the Worker on every connect, and the answer is recorded
 * here in the same statement that checks access, until the token's expiry (the socket closes then).
 * An access change finds here every room the user (or session) is in.
 */
export const roomAdmissions = sqliteTable(
  "room_admissions",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    userId: text("user_id").notNull(),
    sessionId: text("session_id").notNull(),
    role: text("role", { enum: ["read", "write"] }).notNull(),
    connectionId: text("connection_id").notNull(),
    admittedAt: integer("admitted_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [
    index("room_admissions_user_idx").on(t.userId, t.expiresAt),
    index("room_admissions_session_idx").on(t.sessionId, t.expiresAt),
    index("room_admissions_project_idx").on(t.projectId, t.expiresAt),
    index("room_admissions_expires_idx").on(t.expiresAt),
  ],
);

/**
 * Rooms of deleted projects not yet torn down (every socket closed, storage deleted). Written in
 * the batch that deletes the project; removed once the room confirms; maintenance retries the rest.
 */
export const roomTeardowns = sqliteTable("room_teardowns", {
  projectId: text("project_id").primaryKey(),
  orgId: text("org_id").notNull(),
  requestedAt: integer("requested_at").notNull(),
  attempts: integer("attempts").notNull().default(0),
  lastAttemptAt: integer("last_attempt_at"),
  lastError: text("last_error"),
});
