import { and, desc, eq, gte, inArray, isNull, sql } from "drizzle-orm";
import Stripe from "stripe";
import type { MeteredUsageT } from "../../../shared/payments";
import { findVisibleItemBySlug, itemsById } from "../catalog";
import type { Ctx } from "../context";
import { derivedId } from "../crypto/random";
import { createDb, type Db } from "../db/client";
import type { Env, UsageReportMessage } from "../env";
import { AppError } from "../http/errors";
import { type ConsumerPolicy, consumeEach, failAll } from "../http/queue-consumer";
import { worthRetrying } from "../http/stripe-errors";
import { meterEventNameSql, stripeFor } from "../stripe";
import { CREDIT_BALANCE_SQL, creditBalance } from "./credits";
import { subscriptions, usageRecords } from "./tables";

const BILLABLE_STATUSES = ["active", "trialing", "past_due"];

/**
 * Records usage of a metered item by its subscriber. The client's key makes it idempotent: the
 * same key is counted once. Prepaid credits pay first (taken in the same batch, so two concurrent
 * records cannot spend one credit twice); the rest is queued for Stripe's meter.
 */
export async function recordUsage(
  { env, db }: Ctx,
  { userId, slug, usage: input }: { userId: string; slug: string; usage: { quantity: number; key: string } },
) {
  const { item } = await findVisibleItemBySlug(db, slug);
  if (item.pricing.model !== "metered") throw new AppError("conflict", "This item is not priced by usage");
  const [sub] = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.userId, userId), eq(subscriptions.itemId, item.id), inArray(subscriptions.status, BILLABLE_STATUSES)))
    .limit(1);
  if (!sub) throw new AppError("conflict", "You need an active subscription to this item to report usage");
  const id = await derivedId("usageRecord", `${userId}:${input.key}`);
  const reference = `usage:${id}`;
  const now = Date.now();
  // Raw D1 statements: the credit take must read the balance inside the same atomic batch.
  const [inserted] = await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO usage_records (id, subscription_id, item_id, user_id, client_key, quantity, credits_used, recorded_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, min(?6, max(0, (${CREDIT_BALANCE_SQL}))), ?7
       WHERE true ON CONFLICT DO NOTHING RETURNING id`,
    ).bind(id, sub.id, item.id, userId, input.key, input.quantity, now),
    env.DB.prepare(
      `INSERT INTO credit_entries (id, user_id, item_id, amount, reason, reference, created_at)
       SELECT ?1, user_id, item_id, -credits_used, 'usage', ?2, ?3 FROM usage_records WHERE id = ?4 AND credits_used > 0
       ON CONFLICT DO NOTHING`,
    ).bind(await derivedId("creditEntry", reference), reference, now, id),
  ]);
  const record = (await db.select().from(usageRecords).where(eq(usageRecords.id, id)).limit(1))[0]!;
  const duplicate = (inserted?.results ?? []).length === 0;
  if (!duplicate && record.quantity > record.creditsUsed) await env.USAGE_QUEUE.send({ usageRecordId: id });
  return { id, quantity: record.quantity, creditsUsed: record.creditsUsed, recordedAt: record.recordedAt, duplicate };
}

/**
 * The buyer's running metered subscriptions: what they used in the current period (since the
 * period's start as Stripe last told it, or since subscribing for a row mirrored before that was
 * kept), how much of it prepaid credits paid, and the credits left.
 */
export async function meteredUsage(ctx: Ctx, { userId }: { userId: string }): Promise<MeteredUsageT[]> {
  const { db } = ctx;
  const live = await db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.userId, userId), inArray(subscriptions.status, BILLABLE_STATUSES)))
    .orderBy(desc(subscriptions.createdAt))
    .limit(100);
  const items = await itemsById(
    db,
    live.map((sub) => sub.itemId),
  );
  return Promise.all(
    live.flatMap((sub) => {
      const item = items.get(sub.itemId);
      if (item?.pricing.model !== "metered") return [];
      const { unit } = item.pricing;
      const periodStart = sub.currentPeriodStart ?? sub.createdAt;
      return (async () => {
        const [[used], { balance }] = await Promise.all([
          db
            .select({
              quantity: sql<number>`coalesce(sum(${usageRecords.quantity}), 0)`,
              creditsUsed: sql<number>`coalesce(sum(${usageRecords.creditsUsed}), 0)`,
            })
            .from(usageRecords)
            .where(and(eq(usageRecords.subscriptionId, sub.id), gte(usageRecords.recordedAt, periodStart))),
          creditBalance(ctx, { userId, itemId: sub.itemId }),
        ]);
        return {
          subscriptionId: sub.id,
          itemId: item.id,
          itemSlug: item.slug,
          itemName: item.name,
          unit,
          periodStart,
          periodEnd: sub.currentPeriodEnd,
          quantity: used?.quantity ?? 0,
          creditsUsed: used?.creditsUsed ?? 0,
          creditBalance: balance,
        };
      })();
    }),
  );
}

/** Stripe refuses a meter event whose identifier it has seen: that usage is already reported. */
const alreadyReported = (err: unknown) => err instanceof Stripe.errors.StripeInvalidRequestError && /identifier/i.test(err.message);

/**
 * Up to 10 retries (wrangler.toml), 20 s doubling to 10 min. Stripe refusing for good (e.g. a
 * customer it no longer has) is not retried: the record stays unreported.
 */
const USAGE_QUEUE: ConsumerPolicy<UsageReportMessage> = {
  queue: "plaza-usage",
  retry: { baseSeconds: 20, maxSeconds: 600, jitter: 0.2 },
  permanent: (err) => !worthRetrying(err),
  about: (body) => ({ usageRecordId: body.usageRecordId }),
};

/**
 * Reports queued usage to Stripe meter events. Each record is one meter event whose identifier is
 * the record id, so a retried report never counts twice; messages are acked one by one.
 */
export async function consumeUsageReports(batch: MessageBatch<UsageReportMessage>, env: Env) {
  const db = createDb(env.DB);
  const stripe = stripeFor(env);
  let rows: Awaited<ReturnType<typeof unreported>>;
  try {
    rows = await unreported(
      db,
      batch.messages.map((m) => m.body.usageRecordId),
    );
  } catch (err) {
    return failAll(USAGE_QUEUE, batch.messages, err);
  }
  const byId = new Map(rows.map((r) => [r.record.id, r]));
  await consumeEach(batch, USAGE_QUEUE, async (body) => {
    const row = byId.get(body.usageRecordId);
    if (!row?.eventName) return;
    try {
      await stripe.billing.meterEvents.create({
        event_name: row.eventName,
        identifier: row.record.id,
        timestamp: Math.floor(row.record.recordedAt / 1000),
        payload: { stripe_customer_id: row.customerId, value: String(row.record.quantity - row.record.creditsUsed) },
      });
    } catch (err) {
      if (!alreadyReported(err)) throw err;
    }
    await db.update(usageRecords).set({ reportedAt: Date.now() }).where(eq(usageRecords.id, row.record.id));
  });
}

/** The records among `ids` not reported yet, with their customer and meter. */
function unreported(db: Db, ids: string[]) {
  return db
    .select({ record: usageRecords, customerId: subscriptions.customerId, eventName: meterEventNameSql(usageRecords.itemId) })
    .from(usageRecords)
    .innerJoin(subscriptions, eq(subscriptions.id, usageRecords.subscriptionId))
    .where(and(inArray(usageRecords.id, ids), isNull(usageRecords.reportedAt)));
}
