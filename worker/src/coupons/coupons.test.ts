import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser, type OrgFixture, orgFixture, sentReceiptTo } from "../../test/fixtures";
import { type CallResult, call, errorCode } from "../../test/http";
import { emulatorAdmin, eventually, onboardSeller, paidItem, submitHostedForm, testStripe } from "../../test/payments";

/** The Worker's own fetch handler, for the storefront's form posts (redirects not followed). */
const worker = (exports as unknown as { default: Fetcher }).default;
let fx: OrgFixture;
let item: { id: string; slug: string };
let couponsPath: string;
const code = `SAVE20${Date.now().toString(36).toUpperCase()}`;

beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
  item = await paidItem(fx.orgId, { model: "one_time", amount: 2000, currency: "usd" });
  couponsPath = `/v1/orgs/${fx.orgId}/items/${item.id}/coupons`;
});

const checkout = (buyer: { accessToken: string }, promotionCode: string, slug = item.slug) =>
  call("POST", `/v1/items/${slug}/checkout`, { token: buyer.accessToken, body: { promotionCode } });

/** An error answer as the buyer's form sees it: status, code and the fields it marks. */
const refusal = (res: CallResult) => [res.status, errorCode(res), Object.keys(res.body.error?.fields ?? {})];

describe("a 20 % coupon on a one-time item", () => {
  it("discounts the checkout at Stripe, and the order, the fee and the author's share are computed on the discounted price", async () => {
    const created = await call("POST", couponsPath, { token: fx.admin.accessToken, body: { code, percentOff: 20, maxRedemptions: 1 } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      code,
      percentOff: 20,
      amountOff: null,
      currency: "usd",
      duration: "once",
      timesRedeemed: 0,
      active: true,
    });
    const [stripePromo] = (await testStripe().promotionCodes.list({ code })).data;
    expect(stripePromo).toMatchObject({ code, active: true, max_redemptions: 1, promotion: { type: "coupon" } });
    expect(await testStripe().coupons.retrieve(stripePromo!.promotion.coupon as string)).toMatchObject({
      percent_off: 20,
      duration: "once",
    });

    // The buyer types the code in any case.
    const buyer = await createUser("coupon-buyer");
    const started = await checkout(buyer, code.toLowerCase());
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.body.amount).toBe(1600);
    const session = (await testStripe().checkout.sessions.list({ limit: 5 })).data.find(
      (s) => s.metadata?.plaza_checkout_id === started.body.checkoutId,
    );
    expect(session).toMatchObject({ amount_subtotal: 2000, amount_total: 1600, total_details: { amount_discount: 400 } });
    expect(session?.discounts).toEqual([{ coupon: stripePromo!.promotion.coupon, promotion_code: stripePromo!.id }]);
    await submitHostedForm(started.body.url, "pay");

    const order = await eventually(
      async () => (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data[0],
      "the order",
    );
    // The fee (10 % + 30) on 1600, not on the list price.
    expect(order).toMatchObject({ amount: 1600, feeAmount: 190, discountAmount: 400, couponCode: code, items: [{ amount: 1600 }] });
    const sales = await call("GET", `/v1/orgs/${fx.orgId}/orders`, { token: fx.member.accessToken });
    expect(sales.body.data.find((o: { id: string }) => o.id === order.id)).toMatchObject({ discountAmount: 400, couponCode: code });
    const earnings = await call("GET", `/v1/orgs/${fx.orgId}/earnings`, { token: fx.member.accessToken });
    const entries = earnings.body.recent.filter((e: { orderId: string | null }) => e.orderId === order.id);
    // The author's share: 1600 − 190.
    expect(entries.map((e: { type: string; amount: number }) => [e.type, e.amount]).sort()).toEqual([
      ["platform_fee", -190],
      ["sale", 1600],
    ]);

    // The author's systems hear of the discount too.
    const announced = await env.DB.prepare(
      "SELECT payload FROM webhook_events WHERE org_id = ? AND type = 'order.created' AND payload LIKE ?",
    )
      .bind(fx.orgId, `%${order.id}%`)
      .first<{ payload: string }>();
    expect(JSON.parse(announced!.payload).data).toMatchObject({ id: order.id, amount: 1600, discountAmount: 400, couponCode: code });

    const receipt = await sentReceiptTo(buyer.email);
    expect(receipt.text).toContain(`Discount ${code}: −$4.00`);
    const listed = await call("GET", couponsPath, { token: fx.member.accessToken });
    expect(listed.body.data).toEqual([expect.objectContaining({ code, timesRedeemed: 1 })]);
    expect((await testStripe().promotionCodes.retrieve(stripePromo!.id)).times_redeemed).toBe(1);
  });

  it("refuses codes that are used up, expired, deactivated, unknown or for another item (422 on promotionCode), and bad or taken codes (422/409 on the field)", async () => {
    const buyer = await createUser("coupon-refused");
    // maxRedemptions 1, redeemed by the case above.
    expect(refusal(await checkout(buyer, code))).toEqual([422, "unprocessable", ["body.promotionCode"]]);
    expect(refusal(await checkout(buyer, "NOSUCHCODE"))).toEqual([422, "unprocessable", ["body.promotionCode"]]);
    const other = await paidItem(fx.orgId, { model: "one_time", amount: 900, currency: "usd" });
    const fresh = await call("POST", couponsPath, { token: fx.owner.accessToken, body: { code: `${code}B`, amountOff: 300 } });
    expect(fresh.status).toBe(201);
    expect(refusal(await checkout(buyer, `${code}B`, other.slug))).toEqual([422, "unprocessable", ["body.promotionCode"]]);
    await env.DB.prepare("UPDATE coupons SET expires_at = 1 WHERE id = ?").bind(fresh.body.id).run();
    expect((await checkout(buyer, `${code}B`)).body.error.message).toContain("expired");
    await env.DB.prepare("UPDATE coupons SET expires_at = NULL WHERE id = ?").bind(fresh.body.id).run();
    const off = await call("POST", `${couponsPath}/${fresh.body.id}/deactivate`, { token: fx.admin.accessToken });
    expect(off.body.active).toBe(false);
    expect((await testStripe().promotionCodes.list({ code: `${code}B` })).data[0]?.active).toBe(false);
    expect((await checkout(buyer, `${code}B`)).body.error.message).toContain("no longer active");

    const taken = await call("POST", couponsPath, { token: fx.admin.accessToken, body: { code: code.toLowerCase(), percentOff: 10 } });
    expect(refusal(taken)).toEqual([409, "conflict", ["body.code"]]);
    const tooMuch = await call("POST", couponsPath, { token: fx.admin.accessToken, body: { code: `${code}C`, amountOff: 2000 } });
    expect(refusal(tooMuch)).toEqual([422, "unprocessable", ["body.amountOff"]]);
    const both = await call("POST", couponsPath, {
      token: fx.admin.accessToken,
      body: { code: `${code}D`, amountOff: 100, percentOff: 5 },
    });
    expect(both.status).toBe(400);
    const metered = await paidItem(fx.orgId, { model: "metered", amount: 2, currency: "usd", unit: "call" });
    const onMetered = await call("POST", `/v1/orgs/${fx.orgId}/items/${metered.id}/coupons`, {
      token: fx.admin.accessToken,
      body: { code: `${code}E`, percentOff: 10 },
    });
    expect(refusal(onMetered)).toEqual([422, "unprocessable", ["body.code"]]);
    const repeatingOnce = await call("POST", couponsPath, {
      token: fx.admin.accessToken,
      body: { code: `${code}F`, percentOff: 10, duration: "repeating", durationInMonths: 3 },
    });
    expect(refusal(repeatingOnce)).toEqual([422, "unprocessable", ["body.duration"]]);
  });
});

describe("the storefront's guest form", () => {
  it("takes a code too: a wrong one renders the item page again with the reason and the code kept, a right one opens the discounted checkout", async () => {
    const guestCode = `${code}G`;
    expect((await call("POST", couponsPath, { token: fx.admin.accessToken, body: { code: guestCode, amountOff: 500 } })).status).toBe(201);
    const post = (promotionCode: string) =>
      worker.fetch(`http://plaza.test/items/${item.slug}/checkout`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ email: `guest-${code}@example.test`, promotionCode }).toString(),
      });
    const refused = await post("WRONG-CODE");
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(html).toContain("This code does not exist for this item.");
    expect(html).toContain('value="WRONG-CODE"');

    const opened = await post(guestCode.toLowerCase());
    expect(opened.status).toBe(303);
    const sessionId = new URL(opened.headers.get("location")!).pathname.split("/").pop()!;
    expect(await testStripe().checkout.sessions.retrieve(sessionId)).toMatchObject({ amount_subtotal: 2000, amount_total: 1500 });
  });
});

describe("a repeating code on a subscription", () => {
  it("discounts the invoices of its months only: each order shows its discount and the fee is 10 % of what was paid; the code counts once", async () => {
    const monthly = await paidItem(fx.orgId, { model: "subscription", amount: 1000, currency: "usd", interval: "month" });
    const subscriptionCode = `${code}S`;
    const created = await call("POST", `/v1/orgs/${fx.orgId}/items/${monthly.id}/coupons`, {
      token: fx.admin.accessToken,
      body: { code: subscriptionCode, percentOff: 50, duration: "repeating", durationInMonths: 2 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const buyer = await createUser("coupon-subscriber");
    const started = await checkout(buyer, subscriptionCode, monthly.slug);
    expect(started.body).toMatchObject({ amount: 500, mode: "subscription" });
    await submitHostedForm(started.body.url, "pay");

    const ordersAfter = (count: number) =>
      eventually(async () => {
        const data = (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data;
        return data.length === count ? data : undefined;
      }, `${count} orders`);
    await ordersAfter(1);
    // Two renewals: the second month is still discounted, the third is not.
    for (const count of [2, 3]) {
      await emulatorAdmin("POST", "/clock/advance", { seconds: 31 * 86_400 });
      await ordersAfter(count);
    }
    const orders = (await ordersAfter(3)).reverse();
    expect(
      orders.map((o: { amount: number; discountAmount: number; couponCode: string | null; feeAmount: number }) => [
        o.amount,
        o.discountAmount,
        o.couponCode,
        o.feeAmount,
      ]),
    ).toEqual([
      [500, 500, subscriptionCode, 50],
      [500, 500, subscriptionCode, 50],
      [1000, 0, null, 100],
    ]);
    const listed = await call("GET", `/v1/orgs/${fx.orgId}/items/${monthly.id}/coupons`, { token: fx.member.accessToken });
    expect(listed.body.data).toEqual([
      expect.objectContaining({ code: subscriptionCode, duration: "repeating", durationInMonths: 2, timesRedeemed: 1 }),
    ]);
  });
});
