import { and, eq, gt, inArray, isNotNull, isNull, lt, lte, ne, notExists, or, sql } from "drizzle-orm";
import { derivedId } from "../crypto/random";
import type { Db } from "../db/client";
import {
  entitlements,
  items,
  licenses,
  subscriptions,
  uploads,
  usageRecords,
  users,
  webhookAttempts,
  webhookDeliveries,
  webhookEvents,
} from "../db/schema";
import { purgeDownloadTokens } from "../downloads/service";
import { entitlementIsActive } from "../entitlements/conditions";
import type { Env } from "../env";
import { purgeEndedWindows } from "../http/rate-limit";
import { enqueueMail, formatLongDate, licenseExpiryMail, mailInsert } from "../mail";
import type { Job } from "../module";
import { uncountIfNoLongerBuyer } from "../reviews/aggregate";
import { entitlementEvent } from "../webhooks/domain-events";
import { enqueueWebhookEvents } from "../webhooks/outbox";
import { WEBHOOK_LOG_RETENTION_MS } from "../webhooks/retention";

/**
 * Upload sessions are kept a day past expiry for support questions, then deleted. Their bytes
 * never outlive them: R2 only stores a bundle once its checksum matched and the version is saved.
 */
export const purgeStaleUploads: Job = async ({ db, now, batchSize }) => {
  const cutoff = now - 86_400_000;
  const deleted = await db
    .delete(uploads)
    .where(inArray(uploads.id, db.select({ id: uploads.id }).from(uploads).where(lt(uploads.expiresAt, cutoff)).limit(batchSize)))
    .returning({ id: uploads.id });
  return deleted.length;
};

/**
 * Entitlements whose expiry passed become `expired`, and a buyer left with no other entitlement
 * to the item stops counting in its rating (the same guarded statements a revocation uses). The
 * org owning the item gets `entitlement.revoked` with status `expired`.
 */
export const expireEntitlements: Job = async ({ db, env, now, batchSize }) => {
  const lapsed = await db
    .select({
      id: entitlements.id,
      itemId: entitlements.itemId,
      userId: entitlements.userId,
      source: entitlements.source,
      expiresAt: entitlements.expiresAt,
    })
    .from(entitlements)
    .where(and(eq(entitlements.status, "active"), lt(entitlements.expiresAt, now)))
    .limit(batchSize);
  const eventIds: string[] = [];
  for (const e of lapsed) {
    // Both guarded on the expiry too: a renewal that extended it since the select wins.
    const event = await entitlementEvent(db, "entitlement.revoked", { ...e, status: "expired" }, entitlementIsActive(e.id, now), now);
    await db.batch([
      event.insert,
      db
        .update(entitlements)
        .set({ status: "expired" })
        .where(and(eq(entitlements.id, e.id), eq(entitlements.status, "active"), lt(entitlements.expiresAt, now))),
      ...uncountIfNoLongerBuyer(db, e.itemId, e.userId, now),
    ]);
    eventIds.push(event.id);
  }
  // A queue batch holds at most 100 messages.
  for (let i = 0; i < eventIds.length; i += 100) await enqueueWebhookEvents(env, eventIds.slice(i, i + 100));
  return lapsed.length;
};

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

/**
 * Rate-limit counters of every kind are deleted once their window has ended: each IP, address,
 * license key or endpoint seen would otherwise keep a row forever.
 */
export const purgeRateLimitWindows: Job = ({ db, now, batchSize }) => purgeEndedWindows(db, now, batchSize);

/** Download links used up or expired more than a day ago are deleted; their downloads stay logged. */
export const purgeDownloadLinks: Job = ({ db, now, batchSize }) => purgeDownloadTokens(db, now, batchSize);

export const LICENSE_EXPIRY_WARNING_MS = 14 * 86_400_000;

/**
 * Buyers are told 14 days ahead that a license will expire: a subscription canceled at period end
 * (a renewing one would be warned every month for nothing; a past-due one was already told by the
 * payment-failed e-mail). Each expiry is warned of once: the mail's id is derived from the license
 * and the expiry, and the license remembers which expiry it warned of. Resuming and canceling
 * again moves the expiry, which is warned of anew.
 */
export const warnExpiringLicenses: Job = async ({ db, env, now, batchSize }) => {
  const due = await db
    .select({ id: licenses.id, expiresAt: licenses.expiresAt, itemName: items.name, email: users.email })
    .from(licenses)
    .innerJoin(subscriptions, eq(subscriptions.id, licenses.subscriptionId))
    .innerJoin(items, eq(items.id, licenses.itemId))
    .innerJoin(users, eq(users.id, licenses.userId))
    .where(
      and(
        eq(licenses.status, "active"),
        gt(licenses.expiresAt, now),
        lte(licenses.expiresAt, now + LICENSE_EXPIRY_WARNING_MS),
        or(isNull(licenses.expiryWarnedFor), ne(licenses.expiryWarnedFor, licenses.expiresAt)),
        eq(subscriptions.cancelAtPeriodEnd, true),
        ne(subscriptions.status, "past_due"),
      ),
    )
    .limit(batchSize);
  const mailIds: string[] = [];
  for (const license of due) {
    const expiresAt = license.expiresAt!;
    const id = await derivedId("mail", `license-expiry:${license.id}:${expiresAt}`);
    const mail = await mailInsert(
      { env, db },
      { to: license.email, mail: licenseExpiryMail(license.itemName, formatLongDate(expiresAt), `${env.APP_URL}/dashboard/purchases`), id },
    );
    await db.batch([
      mail.insert.onConflictDoNothing(),
      db.update(licenses).set({ expiryWarnedFor: expiresAt }).where(eq(licenses.id, license.id)),
    ]);
    mailIds.push(id);
  }
  await enqueueMail({ env }, mailIds);
  return due.length;
};

/** Webhook events whose enqueue was lost are dispatched after 5 minutes. */
export const requeueUndispatchedWebhooks: Job = async ({ db, env, now, batchSize }) => {
  const stale = await db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(and(isNull(webhookEvents.dispatchedAt), lt(webhookEvents.createdAt, now - 5 * 60_000)))
    .limit(batchSize);
  await enqueueWebhookEvents(
    env,
    stale.map((e) => e.id),
  );
  return stale.length;
};

/**
 * The delivery log is kept 30 days: older attempts are deleted, and so are events with nothing
 * left to send: every delivery delivered or skipped (the endpoint was disabled), or none. An event
 * with a failed (or pending) delivery stays, to be recovered.
 */
export const purgeWebhookLog: Job = async ({ db, now, batchSize }) => {
  const cutoff = now - WEBHOOK_LOG_RETENTION_MS;
  const settled = db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(
      and(
        lt(webhookEvents.createdAt, cutoff),
        isNotNull(webhookEvents.dispatchedAt),
        notExists(
          db
            .select({ one: sql`1` })
            .from(webhookDeliveries)
            .where(and(eq(webhookDeliveries.eventId, webhookEvents.id), inArray(webhookDeliveries.status, ["pending", "failed"]))),
        ),
      ),
    )
    .limit(batchSize);
  const [attempts, events] = await db.batch([
    db
      .delete(webhookAttempts)
      .where(
        inArray(
          webhookAttempts.id,
          db.select({ id: webhookAttempts.id }).from(webhookAttempts).where(lt(webhookAttempts.createdAt, cutoff)).limit(batchSize),
        ),
      )
      .returning({ id: webhookAttempts.id }),
    // Their deliveries go with them (ON DELETE CASCADE).
    db.delete(webhookEvents).where(inArray(webhookEvents.id, settled)).returning({ id: webhookEvents.id }),
  ]);
  return attempts.length + events.length;
};
