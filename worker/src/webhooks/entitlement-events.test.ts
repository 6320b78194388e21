/**
 * `entitlement.granted` / `.revoked` reach the org that owns the item, written in the batch of
 * the change, once per actual change: a repeated claim, a replayed Stripe event or a second
 * revocation writes no second event; a re-grant after a revocation is a new one.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { beforeAll, describe, expect, it } from "vitest";
import { type WebhookEventData, webhookPayload } from "../../../shared/webhook-events";
import { insertItem } from "../../test/catalog-fixtures";
import { testContext } from "../../test/context";
import { createUser, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call } from "../../test/http";
import { JOBS, runJobs } from "../../test/jobs";
import { buy, eventually, onboardSeller, paidItem, stripeEventsSettled, subscribeNewBuyer } from "../../test/payments";
import { endpointReceiving } from "../../test/webhook-endpoint";
import { createDb } from "../db/client";
import { entitlements } from "../db/schema";
import { grantEntitlementStatements } from "../entitlements";
import worker from "../index";

type EntitlementType = "entitlement.granted" | "entitlement.revoked";
interface EntitlementPayload {
  type: EntitlementType;
  timestamp: string;
  data: WebhookEventData<EntitlementType>;
}

const db = createDb(env.DB);
let fx: OrgFixture;
let secret: string;
let received: { headers: Record<string, string>; body: string }[];
beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
  ({ secret, received } = await endpointReceiving(fx.orgId, fx.owner.accessToken, "entitlements", [
    "entitlement.granted",
    "entitlement.revoked",
  ]));
});

/** The outbox rows of `type` for one entitlement, each checked against the catalog's schema. */
async function outbox(type: EntitlementType, entitlementId: string) {
  const { results } = await env.DB.prepare("SELECT org_id, payload FROM webhook_events WHERE type = ? ORDER BY created_at")
    .bind(type)
    .all<{ org_id: string; payload: string }>();
  return results
    .map((r) => ({ orgId: r.org_id, payload: webhookPayload(type).parse(JSON.parse(r.payload)) as EntitlementPayload }))
    .filter((e) => e.payload.data.id === entitlementId);
}

/** Waits for the endpoint to receive `count` verified deliveries of `type` for the entitlement. */
const delivered = (type: EntitlementType, entitlementId: string, count = 1) =>
  eventually(async () => {
    const found = received
      .map((r) => new Webhook(secret).verify(r.body, r.headers) as EntitlementPayload)
      .filter((p) => p.type === type && p.data.id === entitlementId)
      .map((p) => webhookPayload(type).parse(p));
    return found.length >= count ? found : undefined;
  }, `${count} ${type} for ${entitlementId}`);

const getFree = (token: string, slug: string) => call("POST", `/v1/items/${slug}/get`, { token });
const operatorRevoke = (entitlementId: string) =>
  call("POST", `/v1/operator/entitlements/${entitlementId}/revoke`, { token: fx.operator.accessToken, body: { reason: "support" } });

describe("free claims", () => {
  it("a claim sends entitlement.granted to the item's org once; repeated and concurrent claims send nothing more", async () => {
    const item = await insertItem(fx.orgId, { name: "Free Hook" });
    const buyer = await createUser("free-hooked");
    const claims = await Promise.all(Array.from({ length: 5 }, () => getFree(buyer.accessToken, item.slug)));
    expect(claims.map((c) => c.status)).toContain(201);
    const entitlementId = claims[0]!.body.id as string;
    expect(new Set(claims.map((c) => c.body.id))).toEqual(new Set([entitlementId]));
    expect((await getFree(buyer.accessToken, item.slug)).status).toBe(200);

    const [granted] = await delivered("entitlement.granted", entitlementId);
    expect(granted!.data).toEqual({
      id: entitlementId,
      item: { id: item.id, slug: item.slug, name: "Free Hook" },
      userId: buyer.id,
      source: "free",
      status: "active",
      expiresAt: null,
    });
    const rows = await outbox("entitlement.granted", entitlementId);
    expect(rows.map((r) => r.orgId)).toEqual([fx.orgId]);
  });

  it("a revocation sends entitlement.revoked once; claiming again is a new grant of the same entitlement", async () => {
    const item = await insertItem(fx.orgId);
    const buyer = await createUser("free-revoked");
    const entitlementId = (await getFree(buyer.accessToken, item.slug)).body.id as string;

    const revokes = await Promise.all([operatorRevoke(entitlementId), operatorRevoke(entitlementId)]);
    expect(revokes.map((r) => r.status)).toEqual([200, 200]);
    expect((await operatorRevoke(entitlementId)).status).toBe(200);
    const [revoked] = await delivered("entitlement.revoked", entitlementId);
    expect(revoked!.data).toMatchObject({ id: entitlementId, userId: buyer.id, source: "free", status: "revoked" });

    const again = await getFree(buyer.accessToken, item.slug);
    expect([again.status, again.body.id]).toEqual([201, entitlementId]);
    await delivered("entitlement.granted", entitlementId, 2);
    expect(await outbox("entitlement.granted", entitlementId)).toHaveLength(2);
    expect(await outbox("entitlement.revoked", entitlementId)).toHaveLength(1);
  });

  it("running a grant's statements twice writes one event, and none for an entitlement already held", async () => {
    const item = await insertItem(fx.orgId);
    const buyer = await createUser("free-statements");
    const input = { itemId: item.id, userId: buyer.id, source: "free" as const };
    const first = await grantEntitlementStatements(testContext(), input);
    await db.batch(first.statements);
    await db.batch(first.statements);
    const second = await grantEntitlementStatements(testContext(), input);
    await db.batch(second.statements);
    const [row] = await db
      .select()
      .from(entitlements)
      .where(and(eq(entitlements.itemId, item.id), eq(entitlements.userId, buyer.id)));
    expect(await outbox("entitlement.granted", row!.id)).toHaveLength(1);
  });
});

describe("purchases and refunds", () => {
  it("a purchase sends entitlement.granted once, also when its Stripe events are processed again; a full refund sends entitlement.revoked", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 1500, currency: "usd" });
    const buyer = await createUser("bought-hooked");
    await buy(item.slug, { buyer });
    await stripeEventsSettled();
    const entitlement = await eventually(
      async () =>
        (await call("GET", "/v1/me/entitlements", { token: buyer.accessToken })).body.data.find(
          (e: { itemId: string }) => e.itemId === item.id,
        ),
      "the purchase entitlement",
    );
    const [granted] = await delivered("entitlement.granted", entitlement.id);
    expect(granted!.data).toMatchObject({
      item: { id: item.id, slug: item.slug },
      userId: buyer.id,
      source: "purchase",
      status: "active",
      expiresAt: null,
    });

    // Every Stripe event processed again, as if its claim were lost, by three consumers at once.
    const { results } = await env.DB.prepare("SELECT id FROM stripe_events").all<{ id: string }>();
    const ids = results.map((r) => r.id);
    await env.DB.prepare(`UPDATE stripe_events SET status = 'received' WHERE id IN (${ids.map(() => "?").join(",")})`)
      .bind(...ids)
      .run();
    await Promise.all(
      [0, 1, 2].map(async (n) => {
        const batch = createMessageBatch(
          "plaza-stripe-events",
          ids.map((eventId, i) => ({ id: `replay${n}-${i}`, timestamp: new Date(), attempts: 1, body: { eventId } })),
        );
        const ctx = createExecutionContext();
        await worker.queue(batch, env as never);
        expect((await getQueueResult(batch, ctx)).retryMessages).toEqual([]);
      }),
    );
    expect(await outbox("entitlement.granted", entitlement.id)).toHaveLength(1);

    const [order] = (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data;
    const refund = await call("POST", `/v1/orgs/${fx.orgId}/orders/${order.id}/refund`, {
      token: fx.owner.accessToken,
      body: { reason: "entitlement webhook test" },
    });
    expect(refund.status).toBe(202);
    const [revoked] = await delivered("entitlement.revoked", entitlement.id);
    expect(revoked!.data).toMatchObject({ id: entitlement.id, source: "purchase", status: "revoked" });
    await stripeEventsSettled();
    expect(await outbox("entitlement.revoked", entitlement.id)).toHaveLength(1);
    expect((await outbox("entitlement.revoked", entitlement.id))[0]!.orgId).toBe(fx.orgId);
  });

  it("an operator revoking a purchase's entitlement also sends license.revoked for its key, once", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 900, currency: "usd" });
    const buyer = await createUser("revoked-by-operator");
    await buy(item.slug, { buyer });
    await stripeEventsSettled();
    const entitlement = await eventually(
      async () =>
        (await call("GET", "/v1/me/entitlements", { token: buyer.accessToken })).body.data.find(
          (e: { itemId: string }) => e.itemId === item.id,
        ),
      "the purchase entitlement",
    );
    const license = await eventually(
      async () => env.DB.prepare("SELECT id FROM licenses WHERE entitlement_id = ?").bind(entitlement.id).first<{ id: string }>(),
      "the purchase's license",
    );
    expect((await operatorRevoke(entitlement.id)).status).toBe(200);
    expect((await operatorRevoke(entitlement.id)).status).toBe(200);
    const { results } = await env.DB.prepare("SELECT org_id, payload FROM webhook_events WHERE type = 'license.revoked'").all<{
      org_id: string;
      payload: string;
    }>();
    const events = results
      .map((r) => ({ orgId: r.org_id, payload: webhookPayload("license.revoked").parse(JSON.parse(r.payload)) }))
      .filter((e) => (e.payload.data as { id: string }).id === license!.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ orgId: fx.orgId, payload: { data: { status: "revoked", userId: buyer.id } } });
  });

  it("a subscription's many syncs send entitlement.granted once, with its expiry", async () => {
    const { item, buyer } = await subscribeNewBuyer(fx.orgId, "subscribed-hooked");
    const entitlement = (await call("GET", "/v1/me/entitlements", { token: buyer.accessToken })).body.data.find(
      (e: { itemId: string }) => e.itemId === item.id,
    );
    const [granted] = await delivered("entitlement.granted", entitlement.id);
    expect(granted!.data).toMatchObject({ source: "subscription", status: "active", expiresAt: expect.any(Number) });
    expect(await outbox("entitlement.granted", entitlement.id)).toHaveLength(1);
  });
});

describe("expiry", () => {
  it("the maintenance job sends entitlement.revoked with status expired, once", async () => {
    const item = await insertItem(fx.orgId);
    const buyer = await createUser("expiring");
    const expiresAt = Date.now() + 60_000;
    const grant = await call("POST", "/v1/operator/entitlements", {
      token: fx.operator.accessToken,
      body: { itemId: item.id, userId: buyer.id, reason: "trial", expiresAt },
    });
    expect(grant.status).toBe(201);
    const [granted] = await delivered("entitlement.granted", grant.body.id);
    expect(granted!.data).toMatchObject({ source: "grant", expiresAt });

    await runJobs(expiresAt + 1, env, { "expire-entitlements": JOBS["expire-entitlements"]! });
    await runJobs(expiresAt + 2, env, { "expire-entitlements": JOBS["expire-entitlements"]! });
    const [expired] = await delivered("entitlement.revoked", grant.body.id);
    expect(expired!.data).toMatchObject({ id: grant.body.id, status: "expired", expiresAt });
    expect(await outbox("entitlement.revoked", grant.body.id)).toHaveLength(1);
  });
});
