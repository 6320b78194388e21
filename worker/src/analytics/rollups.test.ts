/**
 * The daily rollups' writers through the real paths (checkout and payment at the Stripe emulator,
 * refunds through the route, downloads through a link, a subscription), each landing in today's
 * bucket in the source change's batch (downloads on the tally job's next run); replays and the
 * backfill leave the numbers as they are.
 */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { publishedItem } from "../../test/catalog-api";
import { testContext } from "../../test/context";
import { getFreeItem } from "../../test/entitlement-fixtures";
import { createUser, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call } from "../../test/http";
import { JOBS, jobContext } from "../../test/jobs";
import {
  buy,
  emulatorAdmin,
  eventually,
  onboardSeller,
  paidItem,
  stripeEventsSettled,
  subscribeNewBuyer,
  testStripe,
} from "../../test/payments";
import { utcDay } from "../db/rollups";

const worker = (exports as unknown as { default: Fetcher }).default;

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
});

type Bucket = Record<string, number | string>;
const COUNTERS =
  "currency, gross_sales, net_sales, fees, refunds, disputes, new_subscriptions, churned_subscriptions, mrr_change, downloads, licenses_change, page_views, checkouts_started, checkouts_completed";

/** Today's bucket of an item (its counters, not when it was last written). */
const bucketOf = async (itemId: string) =>
  env.DB.prepare(`SELECT ${COUNTERS} FROM analytics_daily WHERE org_id = ? AND item_id = ? AND day = ?`)
    .bind(fx.orgId, itemId, utcDay(Date.now()))
    .first<Bucket>();
const orgBuckets = async () =>
  (
    await env.DB.prepare(`SELECT item_id, day, ${COUNTERS} FROM analytics_daily WHERE org_id = ? ORDER BY item_id, day`)
      .bind(fx.orgId)
      .all()
  ).results;

const feeOf = async (orderId: string) =>
  (await env.DB.prepare("SELECT fee_amount AS fee FROM orders WHERE id = ?").bind(orderId).first<{ fee: number }>())!.fee;

/** A one-time purchase paid at the emulator, once its order is in. */
async function purchase(amount: number) {
  const item = await paidItem(fx.orgId, { model: "one_time", amount, currency: "usd" });
  const buyer = await createUser("analytics-buyer");
  await buy(item.slug, { buyer });
  const order = await eventually(async () => (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data[0], "the order");
  await stripeEventsSettled();
  return { item, orderId: order.id as string };
}

describe("writers", () => {
  it("a purchase: the checkout started and completed, gross, fee and net in today's bucket", async () => {
    const { item, orderId } = await purchase(2500);
    const fee = await feeOf(orderId);
    expect(fee).toBeGreaterThan(0);
    expect(await bucketOf(item.id)).toMatchObject({
      currency: "usd",
      gross_sales: 2500,
      fees: fee,
      net_sales: 2500 - fee,
      refunds: 0,
      licenses_change: 1,
      checkouts_started: 1,
      checkouts_completed: 1,
    });
  });

  it("a partial refund through the route: refunds and net follow once Stripe confirms it", async () => {
    const { item, orderId } = await purchase(4000);
    const fee = await feeOf(orderId);
    const res = await call("POST", `/v1/orgs/${fx.orgId}/orders/${orderId}/refund`, {
      token: fx.admin.accessToken,
      body: { amount: 1000, reason: "analytics test" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const feeRefund = Math.round((fee * 1000) / 4000);
    const bucket = await eventually(async () => {
      const b = await bucketOf(item.id);
      return b?.refunds === 1000 ? b : undefined;
    }, "the refund in the bucket");
    expect(bucket).toMatchObject({ gross_sales: 4000, refunds: 1000, fees: fee - feeRefund, net_sales: 4000 - fee - 1000 + feeRefund });
  });

  it("a full refund revokes the purchase's key: the day's license change nets to zero", async () => {
    const { item, orderId } = await purchase(1500);
    expect(await bucketOf(item.id)).toMatchObject({ licenses_change: 1 });
    const res = await call("POST", `/v1/orgs/${fx.orgId}/orders/${orderId}/refund`, {
      token: fx.admin.accessToken,
      body: { reason: "analytics test, in full" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const bucket = await eventually(async () => {
      const b = await bucketOf(item.id);
      return b?.refunds === 1500 ? b : undefined;
    }, "the full refund in the bucket");
    expect(bucket).toMatchObject({ licenses_change: 0, gross_sales: 1500 });
  });

  it("a dispute: counted on the day it was opened, the withdrawn amount and Stripe's fee out of net", async () => {
    const { item, orderId } = await purchase(3000);
    const fee = await feeOf(orderId);
    const { pi } = (await env.DB.prepare("SELECT payment_intent_id AS pi FROM orders WHERE id = ?").bind(orderId).first<{ pi: string }>())!;
    const chargeId = (await testStripe().paymentIntents.retrieve(pi)).latest_charge as string;
    await emulatorAdmin("POST", `/charges/${chargeId}/dispute`, { reason: "fraudulent", due_in_days: 7 });
    const bucket = await eventually(async () => {
      const b = await bucketOf(item.id);
      return b?.disputes === 1 ? b : undefined;
    }, "the dispute in the bucket");
    expect(bucket).toMatchObject({ gross_sales: 3000, fees: fee });
    expect(bucket!.net_sales as number).toBeLessThanOrEqual(3000 - fee - 3000);
  });

  it("a download counts once per whole bundle, not for a resumed range", async () => {
    const item = await publishedItem(fx.owner, fx.orgId, { slug: `an-dl-${Date.now().toString(36)}`, name: "Analytics download" });
    const buyer = await createUser("analytics-downloader");
    await getFreeItem(buyer, item.slug);
    const minted = await call("POST", "/v1/me/downloads", { token: buyer.accessToken, body: { item: item.slug } });
    expect(minted.status, JSON.stringify(minted.body)).toBe(201);
    const path = new URL(minted.body.url).pathname;
    expect((await worker.fetch(`http://plaza.test${path}`)).status).toBe(200);
    expect((await worker.fetch(`http://plaza.test${path}`, { headers: { range: "bytes=10-20" } })).status).toBe(206);
    // Counted by the tally job on the next tick, not in the download's batch.
    expect(await JOBS["tally-downloads"]!(jobContext(env as never, Date.now()))).toBeGreaterThanOrEqual(1);
    expect(await bucketOf(item.id)).toMatchObject({ downloads: 1, gross_sales: 0 });
  });

  it("a subscription: new, its monthly amount in MRR, its license, its first invoice as a sale", async () => {
    const { item } = await subscribeNewBuyer(fx.orgId, "analytics-subscriber");
    expect(await bucketOf(item.id)).toMatchObject({
      new_subscriptions: 1,
      churned_subscriptions: 0,
      mrr_change: 1200,
      licenses_change: 1,
      gross_sales: 1200,
      checkouts_completed: 1,
    });
  });
});

describe("replays and the backfill", () => {
  it("the writers run again and the backfill rebuild leave every counter as it was", async () => {
    const before = await orgBuckets();
    expect(before.length).toBeGreaterThanOrEqual(4);
    const ctx = testContext();
    for (const row of before as { item_id: string }[]) {
      const statements = [
        ...(await ctx.events.emit("sale.recorded", {
          orderId: "ord_none",
          checkoutId: "chk_none",
          orgId: fx.orgId,
          itemId: row.item_id,
          now: Date.now(),
        })),
        ...(await ctx.events.emit("downloads.counted", { orgId: fx.orgId, itemId: row.item_id, at: [Date.now()], now: Date.now() })),
        ...(await ctx.events.emit("subscription.synced", { orgId: fx.orgId, itemId: row.item_id, at: [Date.now()] })),
      ];
      await ctx.db.batch(statements as [never, ...never[]]);
    }
    expect(await orgBuckets()).toEqual(before);
    const processed = await JOBS["analytics-backfill"]!(jobContext(env as never, Date.now()));
    expect(processed).toBeGreaterThanOrEqual(before.length);
    expect(await orgBuckets()).toEqual(before);
  });
});

describe("the API", () => {
  it("answers one zero-filled day per day of the range with the running totals, and the same days as CSV", async () => {
    const res = await call("GET", `/v1/orgs/${fx.orgId}/analytics?days=7`, { token: fx.member.accessToken });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.series).toHaveLength(7);
    expect(res.body.currency).toBe("usd");
    expect(res.body.currencies).toEqual(["usd"]);
    const today = res.body.series[6];
    expect(today.day).toBe(utcDay(Date.now()));
    expect(today.grossSales).toBe(2500 + 4000 + 1500 + 3000 + 1200);
    expect(today.mrr).toBe(1200);
    expect(res.body.totals.grossSales).toBe(2500 + 4000 + 1500 + 3000 + 1200);
    expect(res.body.totals.activeLicenses).toBe(today.activeLicenses);

    const csv = await call("GET", `/v1/orgs/${fx.orgId}/analytics/csv?days=7`, { token: fx.member.accessToken });
    expect(csv.status).toBe(200);
    const lines = String(csv.body).trim().split("\r\n");
    expect(lines[0]!.split(",")).toContain("grossSales");
    expect(lines).toHaveLength(8);
    expect(lines[7]!.startsWith(`${today.day},${today.grossSales},`)).toBe(true);
  });

  it("another org's analytics is 404, as if the org did not exist", async () => {
    const res = await call("GET", `/v1/orgs/${fx.orgId}/analytics`, { token: fx.outsider.accessToken });
    expect(res.status).toBe(404);
    const own = await call("GET", `/v1/orgs/${fx.outsiderOrgId}/analytics?itemId=x`, { token: fx.outsider.accessToken });
    expect(own.body.totals.grossSales).toBe(0);
  });

  it("the operator's platform series has the day's gross sales and fee income", async () => {
    const res = await call("GET", "/v1/operator/analytics?days=7", { token: fx.operator.accessToken });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const today = res.body.series[6];
    expect(today.grossSales).toBeGreaterThanOrEqual(2500 + 4000 + 1500 + 3000 + 1200);
    expect(today.feeIncome).toBeGreaterThan(0);
  });
});
