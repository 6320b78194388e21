import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ratingAggregate as aggregate, insertItem } from "../../test/catalog-fixtures";
import { testContext } from "../../test/context";
import { getFreeItem } from "../../test/entitlement-fixtures";
import { createUser, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { postReview } from "../../test/review-fixtures";
import { createDb } from "../db/client";
import { auditEvents, entitlements, reviews } from "../db/schema";
import { findActiveEntitlement, grantEntitlementStatements, revokeEntitlement } from "./service";

const db = createDb(env.DB);
const ctx = testContext();
let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

const counted = async (itemId: string, userId: string) =>
  (
    await db
      .select({ counted: reviews.counted })
      .from(reviews)
      .where(and(eq(reviews.itemId, itemId), eq(reviews.userId, userId)))
  )[0]?.counted;
/** Runs a grant's statements on their own; the entitlement row the claim returned. */
const claim = async (input: Parameters<typeof grantEntitlementStatements>[1]) => {
  const grant = await grantEntitlementStatements(ctx, input);
  const results = await db.batch(grant.statements);
  return (results[grant.claimAt] as (typeof entitlements.$inferSelect)[])[0]!;
};
const purchase = (itemId: string, userId: string) => claim({ itemId, userId, source: "purchase", reference: "ord_1" });

describe("getting a free item", () => {
  it("creates a free entitlement once (201, then 200 with the same one) and lists it with the item", async () => {
    const item = await insertItem(fx.orgId, { name: "Free Thing" });
    const first = await call("POST", `/v1/items/${item.slug}/get`, { token: fx.member.accessToken });
    expect([first.status, first.body.source, first.body.status]).toEqual([201, "free", "active"]);
    const again = await call("POST", `/v1/items/${item.slug}/get`, { token: fx.member.accessToken });
    expect([again.status, again.body.id]).toEqual([200, first.body.id]);

    const mine = await call("GET", "/v1/me/entitlements", { token: fx.member.accessToken });
    expect(mine.body.data).toContainEqual(expect.objectContaining({ id: first.body.id, itemSlug: item.slug, itemName: "Free Thing" }));
    const others = await call("GET", "/v1/me/entitlements", { token: fx.outsider.accessToken });
    expect(others.body.data.map((e: { id: string }) => e.id)).not.toContain(first.body.id);
  });

  it("refuses a paid item with 409 pointing to checkout, and leaves no row", async () => {
    const item = await insertItem(fx.orgId, { pricing: { model: "one_time", amount: 900, currency: "usd" } });
    const res = await call("POST", `/v1/items/${item.slug}/get`, { token: fx.member.accessToken });
    expect([res.status, errorCode(res)]).toEqual([409, "conflict"]);
    expect(res.body.error.message).toMatch(/checkout/);
    expect(await db.select().from(entitlements).where(eq(entitlements.itemId, item.id))).toEqual([]);
  });

  it("does not hand out drafts or removed items (404)", async () => {
    for (const status of ["draft", "removed"] as const) {
      const item = await insertItem(fx.orgId, { status });
      expect((await call("POST", `/v1/items/${item.slug}/get`, { token: fx.member.accessToken })).status).toBe(404);
    }
  });

  it("paginates your entitlements newest first", async () => {
    const user = await createUser("collector");
    for (let i = 0; i < 3; i++) await getFreeItem(user, (await insertItem(fx.orgId)).slug);
    const first = await call("GET", "/v1/me/entitlements?limit=2", { token: user.accessToken });
    const second = await call("GET", `/v1/me/entitlements?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, {
      token: user.accessToken,
    });
    expect([first.body.data.length, second.body.data.length, second.body.nextCursor]).toEqual([2, 1, null]);
    expect(first.body.data[0].createdAt).toBeGreaterThanOrEqual(first.body.data[1].createdAt);
  });
});

describe("grantEntitlementStatements and findActiveEntitlement", () => {
  it("claims idempotently and reactivates after revocation", async () => {
    const item = await insertItem(fx.orgId);
    const a = await purchase(item.id, fx.member.id);
    const b = await purchase(item.id, fx.member.id);
    expect(b.id).toBe(a.id);
    expect(await db.$count(entitlements, eq(entitlements.itemId, item.id))).toBe(1);

    await revokeEntitlement(ctx, { entitlementId: a.id, reason: "refund" });
    expect(await findActiveEntitlement(db, fx.member.id, item.id)).toBeUndefined();
    const c = await purchase(item.id, fx.member.id);
    expect([c.id, c.status, c.revokedAt]).toEqual([a.id, "active", null]);
  });

  it("a repeat claim extends an effective entitlement's expiry but never shortens it", async () => {
    const item = await insertItem(fx.orgId);
    const renew = (expiresAt: number | null) => claim({ itemId: item.id, userId: fx.member.id, source: "subscription", expiresAt });
    const soon = Date.now() + 86_400_000;
    await renew(soon);
    await renew(soon + 1000);
    const row = await renew(soon - 1000);
    expect(row.expiresAt).toBe(soon + 1000);
    const forever = await renew(null);
    expect(forever.expiresAt).toBeNull();
  });

  it("ignores expired entitlements and filters by source", async () => {
    const item = await insertItem(fx.orgId);
    await db.insert(entitlements).values({
      id: "ent_expiredexpired0001",
      itemId: item.id,
      userId: fx.member.id,
      source: "subscription",
      status: "active",
      expiresAt: Date.now() - 1,
      createdAt: 1,
    });
    expect(await findActiveEntitlement(db, fx.member.id, item.id)).toBeUndefined();
    await claim({ itemId: item.id, userId: fx.member.id, source: "grant", reference: "press" });
    expect((await findActiveEntitlement(db, fx.member.id, item.id))?.source).toBe("grant");
    expect(await findActiveEntitlement(db, fx.member.id, item.id, ["free", "purchase", "subscription"])).toBeUndefined();
  });
});

describe("revocation and the rating aggregate", () => {
  it("removes the buyer's rating exactly once, hides the review, and audits the reason", async () => {
    const item = await insertItem(fx.orgId);
    const buyer = await createUser("refunded");
    const entitlement = await getFreeItem(buyer, item.slug);
    await getFreeItem(fx.admin, item.slug);
    await postReview(buyer, item.slug, 5);
    await postReview(fx.admin, item.slug, 3);
    expect(await aggregate(item.id)).toEqual([2, 8]);

    // Two refunds racing, then an operator's retry: the rating leaves the aggregate once.
    await Promise.all([
      revokeEntitlement(ctx, { entitlementId: entitlement.id, reason: "refund" }),
      revokeEntitlement(ctx, { entitlementId: entitlement.id, reason: "refund" }),
    ]);
    const retry = await call("POST", `/v1/operator/entitlements/${entitlement.id}/revoke`, {
      token: fx.operator.accessToken,
      body: { reason: "again" },
    });
    expect([retry.status, retry.body.status]).toEqual([200, "revoked"]);
    expect(await aggregate(item.id)).toEqual([1, 3]);
    expect(await counted(item.id, buyer.id)).toBe(false);

    const list = await call("GET", `/v1/items/${item.slug}/reviews`);
    expect(list.body.data.map((r: { userId: string }) => r.userId)).toEqual([fx.admin.id]);
    const audit = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "entitlement.revoked"), eq(auditEvents.targetId, entitlement.id)));
    expect(audit.length).toBeGreaterThanOrEqual(1);
    expect(audit[0]).toMatchObject({ orgId: fx.orgId, metadata: expect.objectContaining({ reason: "refund" }) });
  });

  it("keeps the rating while another buyer entitlement is active, and restores it on re-purchase", async () => {
    const item = await insertItem(fx.orgId);
    const buyer = await createUser("twice");
    const free = await getFreeItem(buyer, item.slug);
    const bought = await purchase(item.id, buyer.id);
    await postReview(buyer, item.slug, 4);

    await revokeEntitlement(ctx, { entitlementId: free.id, reason: "duplicate" });
    expect([await aggregate(item.id), await counted(item.id, buyer.id)]).toEqual([[1, 4], true]);

    await revokeEntitlement(ctx, { entitlementId: bought.id, reason: "refund" });
    expect([await aggregate(item.id), await counted(item.id, buyer.id)]).toEqual([[0, 0], false]);

    await purchase(item.id, buyer.id);
    await purchase(item.id, buyer.id);
    expect([await aggregate(item.id), await counted(item.id, buyer.id)]).toEqual([[1, 4], true]);
  });

  it("an operator's grant does not keep a rating counted", async () => {
    const item = await insertItem(fx.orgId);
    const buyer = await createUser("granted");
    const free = await getFreeItem(buyer, item.slug);
    await postReview(buyer, item.slug, 2);
    const grant = await call("POST", "/v1/operator/entitlements", {
      token: fx.operator.accessToken,
      body: { itemSlug: item.slug, userId: buyer.id, reason: "support" },
    });
    expect([grant.status, grant.body.source]).toEqual([201, "grant"]);
    await revokeEntitlement(ctx, { entitlementId: free.id, reason: "refund" });
    expect(await aggregate(item.id)).toEqual([0, 0]);
  });
});

describe("operator grants", () => {
  it("grants by id or slug with the reason audited under the item's org", async () => {
    const item = await insertItem(fx.orgId);
    const res = await call("POST", "/v1/operator/entitlements", {
      token: fx.operator.accessToken,
      body: { itemId: item.id, userId: fx.outsider.id, reason: "press copy" },
    });
    expect([res.status, res.body.source, res.body.userId]).toEqual([201, "grant", fx.outsider.id]);
    const [row] = await db.select().from(entitlements).where(eq(entitlements.id, res.body.id));
    expect([row?.grantedBy, row?.reference]).toEqual([fx.operator.id, "press copy"]);
    const log = await call("GET", `/v1/orgs/${fx.orgId}/audit-log`, { token: fx.owner.accessToken });
    expect(log.body.data).toContainEqual(
      expect.objectContaining({
        action: "entitlement.granted",
        targetId: item.id,
        metadata: expect.objectContaining({ reason: "press copy" }),
      }),
    );
  });

  it("validates the body and the targets", async () => {
    const item = await insertItem(fx.orgId);
    const as = (body: unknown) => call("POST", "/v1/operator/entitlements", { token: fx.operator.accessToken, body });
    expect((await as({ userId: fx.member.id, reason: "x" })).status).toBe(400);
    expect((await as({ itemId: item.id, itemSlug: item.slug, userId: fx.member.id, reason: "x" })).status).toBe(400);
    expect((await as({ itemId: item.id, userId: fx.member.id, reason: "x", expiresAt: Date.now() - 1000 })).status).toBe(400);
    expect((await as({ itemId: item.id, userId: "usr_doesnotexist000000", reason: "x" })).status).toBe(404);
    expect((await as({ itemSlug: "no-such-item", userId: fx.member.id, reason: "x" })).status).toBe(404);
    const revokeMissing = await call("POST", "/v1/operator/entitlements/ent_doesnotexist00000000/revoke", {
      token: fx.operator.accessToken,
      body: { reason: "x" },
    });
    expect(revokeMissing.status).toBe(404);
  });
});
