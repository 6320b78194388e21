/** The operator console's API shapes: overview, moderation queue, order search, maintenance jobs. */
import { z } from "zod";
import { Cursor } from "./api";
import { Entitlement } from "./catalog";
import { Order } from "./payments";

export const JOB_RUN_STATUSES = ["running", "succeeded", "failed"] as const;
/** One run of a maintenance job (`job_runs`), from a cron tick or an operator's "run now". */
export const JobRun = z
  .object({
    id: z.string(),
    job: z.string(),
    startedAt: z.number().int(),
    finishedAt: z.number().int().nullable(),
    status: z.enum(JOB_RUN_STATUSES),
    /** Rows the run touched. */
    processed: z.number().int(),
    error: z.string().nullable(),
  })
  .meta({ id: "JobRun" });
export type JobRunT = z.infer<typeof JobRun>;

/** A job, when it runs (a cron expression) and its newest run. */
export const JobSummary = z.object({ job: z.string(), schedule: z.string(), lastRun: JobRun.nullable() }).meta({ id: "JobSummary" });
export type JobSummaryT = z.infer<typeof JobSummary>;

export const JobRunsQuery = z.object({
  job: z.string().max(100).optional().meta({ description: "Only this job's runs" }),
  cursor: Cursor.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** A webhook endpoint whose last deliveries failed, in any org. */
export const FailingEndpoint = z
  .object({
    endpointId: z.string(),
    orgId: z.string(),
    orgName: z.string(),
    url: z.string(),
    /** `disabled` once Plaza turned it off after too many failures. */
    status: z.string(),
    consecutiveFailures: z.number().int(),
    lastError: z.string().nullable(),
  })
  .meta({ id: "FailingEndpoint" });
export type FailingEndpointT = z.infer<typeof FailingEndpoint>;

export const OperatorOverview = z
  .object({
    /** Orders by status, and checkouts whose payment failed (`failed`). */
    paymentsByStatus: z.record(z.string(), z.number().int()),
    disputesOpen: z.number().int(),
    /** Dead letters: mail that gave up, Stripe events that failed processing, webhook deliveries that gave up. */
    deadLetters: z.object({ mail: z.number().int(), stripeEvents: z.number().int(), webhooks: z.number().int() }),
    failingEndpoints: z.array(FailingEndpoint),
    jobs: z.array(JobSummary),
  })
  .meta({ id: "OperatorOverview" });
export type OperatorOverviewT = z.infer<typeof OperatorOverview>;

export const REPORT_REASONS = ["spam", "malware", "copyright", "inappropriate", "other"] as const;
/** Anyone signed in reports an item to the operators; one open report per person and item. */
export const ItemReportBody = z
  .object({ reason: z.enum(REPORT_REASONS), details: z.string().trim().max(2000).default("") })
  .meta({ id: "ItemReportBody" });
export type ItemReportBodyT = z.infer<typeof ItemReportBody>;
export const ItemReportReceipt = z
  .object({ id: z.string(), status: z.literal("open"), createdAt: z.number().int() })
  .meta({ id: "ItemReportReceipt" });

export const REPORT_STATUSES = ["open", "resolved"] as const;
/**
 * An entry of the moderation queue: an item (everyone who reported it while it was open counts
 * in `reporterCount`; `reason`/`details` are the first reporter's) or a review an author reported.
 */
export const ModerationReport = z
  .object({
    id: z.string(),
    kind: z.enum(["item", "review"]),
    itemId: z.string(),
    itemSlug: z.string(),
    itemName: z.string(),
    orgId: z.string(),
    reviewId: z.string().nullable(),
    reason: z.string(),
    details: z.string(),
    reporterCount: z.number().int(),
    createdAt: z.number().int(),
    status: z.enum(REPORT_STATUSES),
  })
  .meta({ id: "ModerationReport" });
export type ModerationReportT = z.infer<typeof ModerationReport>;
export const ReportsQuery = z.object({
  status: z.enum(REPORT_STATUSES).default("open"),
  cursor: Cursor.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const OperatorOrdersQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .meta({ description: "A buyer's e-mail, an order id, or a Stripe payment intent, checkout session or charge id" }),
});
/** An order as an operator finds it: the buyer, Stripe's ids and what it entitles. */
export const OperatorOrder = Order.extend({
  userId: z.string(),
  stripePaymentIntentId: z.string().nullable(),
  stripeCheckoutSessionId: z.string().nullable(),
  stripeChargeId: z.string().nullable(),
  entitlements: z.array(Entitlement),
}).meta({ id: "OperatorOrder" });
export type OperatorOrderT = z.infer<typeof OperatorOrder>;
