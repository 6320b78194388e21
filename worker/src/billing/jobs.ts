import { and, eq, gt, isNull, lt, ne } from "drizzle-orm";
import { derivedId } from "../crypto/random";
import { licensesToWarn, markExpiryWarned } from "../licenses";
import { enqueueMail, formatLongDate, licenseExpiryMail, mailInsert } from "../mail";
import type { Job } from "../module";
import { subscriptions, usageRecords } from "./tables";

/** Usage with a billable part that never reached Stripe's meter is queued again after 5 minutes. */
export const requeueUnreportedUsage: Job = async ({ db, env, now, batchSize }) => {
  const stale = await db
    .select({ id: usageRecords.id })
    .from(usageRecords)
    .where(
      and(
        isNull(usageRecords.reportedAt),
        lt(usageRecords.recordedAt, now - 5 * 60_000),
        gt(usageRecords.quantity, usageRecords.creditsUsed),
      ),
    )
    .limit(batchSize);
  if (stale.length > 0) await env.USAGE_QUEUE.sendBatch(stale.map((u) => ({ body: { usageRecordId: u.id } })));
  return stale.length;
};

export const LICENSE_EXPIRY_WARNING_MS = 14 * 86_400_000;

/**
 * Buyers are told 14 days ahead that a license will expire: a subscription canceled at period end
 * (a renewing one would be warned every month for nothing; a past-due one was already told by the
 * payment-failed e-mail). Each expiry is warned of once: the mail's id is derived from the license
 * and the expiry, and the license remembers which expiry it warned of. Resuming and canceling
 * again moves the expiry, which is warned of anew.
 */
export const warnExpiringLicenses: Job = async (ctx) => {
  const { db, env, now, batchSize } = ctx;
  const canceling = db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.cancelAtPeriodEnd, true), ne(subscriptions.status, "past_due")));
  const due = await licensesToWarn(db, { from: now, until: now + LICENSE_EXPIRY_WARNING_MS, subscriptionIds: canceling, limit: batchSize });
  const mailIds: string[] = [];
  for (const license of due) {
    const expiresAt = license.expiresAt!;
    const id = await derivedId("mail", `license-expiry:${license.id}:${expiresAt}`);
    const mail = await mailInsert(ctx, {
      to: license.email,
      mail: licenseExpiryMail(license.itemName, formatLongDate(expiresAt), `${env.APP_URL}/dashboard/purchases`),
      id,
    });
    await db.batch([mail.insert.onConflictDoNothing(), markExpiryWarned(db, license.id, expiresAt)]);
    mailIds.push(id);
  }
  await enqueueMail(ctx, mailIds);
  return due.length;
};

/** The cron jobs of billing, by their `job_runs.job` names. */
export const billingJobs = {
  "requeue-unreported-usage": requeueUnreportedUsage,
  "warn-expiring-licenses": warnExpiringLicenses,
};
