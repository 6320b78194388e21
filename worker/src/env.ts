import type { Ctx } from "./context";
import type { Db } from "./db/client";
import type { PageSources } from "./http/page-security";
import type { Principal } from "./http/principal";
import type { RateLimitCounter } from "./http/rate-limit-counter";
import type { Runtime } from "./module";

/** Bindings, vars and secrets of the API Worker (wrangler.toml, .dev.vars / `wrangler secret put`). */
export interface Env {
  DB: D1Database;
  BUCKET: R2Bucket;
  MAIL_QUEUE: Queue<MailQueueMessage>;
  STRIPE_EVENTS_QUEUE: Queue<StripeEventMessage>;
  USAGE_QUEUE: Queue<UsageReportMessage>;
  /** Outgoing webhooks: events to fan out and deliveries to attempt. */
  WEBHOOKS_QUEUE: Queue<WebhookQueueMessage>;
  /** Uploaded images to turn into WebP variants (worker/src/media). */
  MEDIA_QUEUE: Queue<MediaQueueMessage>;
  /** tus uploads whose last byte is stored: check their digest and hand them to their domain (worker/src/uploads). */
  UPLOADS_QUEUE: Queue<UploadQueueMessage>;
  /** Storefront item page views, counted by the analytics consumer (worker/src/analytics/page-views.ts). */
  ANALYTICS_QUEUE: Queue<PageViewMessage>;
  /** Cloudflare Images: reads and transforms media images (locally through Sharp). */
  IMAGES: ImagesBinding;
  /** Rate-limit counters, one Durable Object per key (http/rate-limit.ts). */
  RATE_LIMITS: DurableObjectNamespace<RateLimitCounter>;
  /** How long a webhook delivery may take, in ms (default 15000). */
  WEBHOOK_TIMEOUT_MS?: string;
  ASSETS?: Fetcher;
  /**
   * Only on the edge Worker of a deployment (scripts/lib/deploy/pair.mjs): the placed Worker, to
   * which every request but a public, may-be-stale read is forwarded (http/placement.ts).
   */
  PLACED?: Fetcher;

  ENVIRONMENT: "development" | "test" | "production";
  APP_URL: string;
  ROOMS_URL: string;
  ACCESS_TOKEN_TTL_SECONDS: string;
  REFRESH_TOKEN_TTL_DAYS: string;
  /** Largest bundle accepted, in bytes (default 50 MB). */
  BUNDLE_MAX_BYTES?: string;
  /** Resumable (tus) uploads: largest bundle (default 2 GiB) and asset (default 500 MiB), in bytes. */
  TUS_BUNDLE_MAX_BYTES?: string;
  TUS_ASSET_MAX_BYTES?: string;
  /** Bytes an org may store: bundles, project assets and resumable uploads in progress (default 20 GiB). */
  ORG_STORAGE_QUOTA_BYTES?: string;
  /** Seconds a resumable upload lives without a PATCH (default 86400). */
  TUS_UPLOAD_TTL_SECONDS?: string;
  /** Least severe log level written: debug, info (default: one line per request), warn, error. */
  LOG_LEVEL?: string;
  /** "1" enables /__bench/bare, the benchmarks' baseline route. */
  BENCH?: string;

  /** HMAC key for access tokens (≥ 32 random bytes, base64). */
  JWT_SECRET: string;
  /** HMAC key for room tokens, shared with the PartyKit server. */
  ROOM_TOKEN_SECRET: string;

  /** Cloudflare Email Service (`[[send_email]] name = "EMAIL"`), the default transport in production. */
  EMAIL?: SendEmail;
  /** `cloudflare`, `http` or `mailbox`; unset: the binding (else HTTP) in production, the dev mailbox elsewhere. */
  MAIL_TRANSPORT?: "cloudflare" | "http" | "mailbox";
  /** An HTTP e-mail API (Resend-style), the alternative to the binding. */
  MAIL_HTTP_URL?: string;
  MAIL_HTTP_TOKEN?: string;
  MAIL_FROM?: string;

  /** Stripe secret key. Without it (outside production) Plaza talks to the local emulator. */
  STRIPE_SECRET_KEY?: string;
  /** The local Stripe emulator's origin, used only when no STRIPE_SECRET_KEY is set. */
  STRIPE_EMULATOR_URL?: string;
  /** Signing secrets of the platform and Connect webhook endpoints (`whsec_…`). */
  STRIPE_WEBHOOK_SECRET: string;
  STRIPE_CONNECT_WEBHOOK_SECRET: string;
  /** `keyId:base64url(32 bytes)`, comma-separated, newest first: AES-256-GCM keys for data at rest. */
  ENCRYPTION_KEYS: string;
  /** `keyId:base64url(32+ bytes)`, comma-separated, newest first: HMAC keys of download links (the first signs). */
  DOWNLOAD_TOKEN_KEYS: string;
  /** Requests that send bytes one download link allows (default 5). */
  DOWNLOAD_MAX_USES?: string;
  /** Downloads per buyer and item in any 24 hours (default 10). */
  DOWNLOAD_DAILY_LIMIT?: string;
  /** Platform fee: basis points of each sale (1000 = 10%) plus a fixed amount in minor units. */
  PLATFORM_FEE_BPS?: string;
  PLATFORM_FEE_FIXED?: string;
  /**
   * `automatic`: Checkout calculates sales tax/VAT with Stripe Tax from the buyer's billing address
   * (collected, with an optional tax id) and adds it to the price; unset or `off`: no tax.
   */
  TAX_COLLECTION?: "automatic" | "off";
  /** Days a past-due subscription keeps access before its entitlement lapses (default 7). */
  SUBSCRIPTION_GRACE_DAYS?: string;
  /**
   * HMAC-SHA256 secrets for license keys (32+ characters each), comma-separated, newest first: the
   * first hashes new keys, every one finds existing ones. Required in production.
   */
  LICENSE_KEY_SECRET?: string;
  /** License API requests per minute, per IP and per key (default 60). */
  LICENSE_API_RATE_LIMIT?: string;
  /** Days of D1 exports kept in R2 under backups/, today's included (default 14). */
  BACKUP_RETENTION_DAYS?: string;
  /** Bearer token an uptime monitor sends to GET /readyz (32+ characters; optional secret). */
  READYZ_TOKEN?: string;

  /**
   * The storefront's legal and support pages (worker/src/storefront/legal-config.ts checks them):
   * the operating entity (seller of record), its country, the support address, the refund window
   * in days and the texts' last-updated date (YYYY-MM-DD).
   */
  LEGAL_ENTITY_NAME?: string;
  LEGAL_COUNTRY?: string;
  SUPPORT_EMAIL?: string;
  REFUND_WINDOW_DAYS?: string;
  LEGAL_LAST_UPDATED?: string;
}

export interface StripeEventMessage {
  eventId: string;
}

export interface UsageReportMessage {
  usageRecordId: string;
}

export interface MailQueueMessage {
  messageId: string;
}

/** A media row whose original is stored: make its variants. */
export interface MediaQueueMessage {
  mediaId: string;
}

/** A tus upload in state `verifying`: its file's digest to check, then its adoption. */
export interface UploadQueueMessage {
  uploadId: string;
}

/** One view of a storefront item page; the message's id and timestamp are the view's. */
export interface PageViewMessage {
  slug: string;
  /** When the page was answered (ms): the view's day, the same on every delivery. */
  viewedAt: number;
}

/** Outgoing webhooks: an event to fan out, a delivery to attempt, or an endpoint's recovery walk. */
export type WebhookQueueMessage = { kind: "event" | "delivery"; id: string } | RecoveryMessage;

/** One endpoint's recovery, walked one delivery at a time (webhooks/recovery.ts). */
export interface RecoveryMessage {
  kind: "recovery";
  /** The endpoint. */
  id: string;
  /** Failed and skipped deliveries created since then are sent again… */
  since: number;
  /** …as they were when recover was asked: one that fails during the walk is not picked up again. */
  askedAt: number;
  /** A delivery of the walk that could not be attempted yet (over the rate limit): attempted first. */
  head?: string;
}

export interface Variables {
  requestId: string;
  db: Db;
  /** The request's context for services (context.ts). */
  ctx: Ctx;
  /** What the composition root assembled from every module (e.g. the Stripe event types some module handles). */
  runtime: Runtime;
  /** Set by `authenticate()`; absent on anonymous requests. */
  principal?: Principal;
  /** What the route's HTML pages load (`pageSources()`); their security headers are built from it. */
  pageSources?: PageSources;
}

export type AppEnv = { Bindings: Env; Variables: Variables };
