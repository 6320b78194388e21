import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ratingAggregate as aggregate, insertItem } from "../../test/catalog-fixtures";
import { testContext } from "../../test/context";
import { getFreeItem } from "../../test/entitlement-fixtures";
import { createUser, type OrgFixture, orgFixture, type TestUser } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { postReview, reviewedItem } from "../../test/review-fixtures";
import { createDb } from "../db/client";
import { auditEvents, reviews } from "../db/schema";
import { revokeEntitlement } from "../entitlements";

const db = createDb(env.DB);
const ctx = testContext();
let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

const review = (user: TestUser, slug: string, body: unknown) =>
  call("POST", `/v1/items/${slug}/reviews`, { token: user.accessToken, body });
const reviewCount = (itemId: string) => db.$count(reviews, eq(reviews.itemId, itemId));

describe("who may review", () => {
  it("refuses anyone without an entitlement with 403 and writes nothing", async () => {
    const item = await insertItem(fx.orgId);
    const res = await review(fx.member, item.slug, { rating: 5 });
    expect([res.status, errorCode(res)]).toEqual([403, "forbidden"]);
    expect([await reviewCount(item.id), await aggregate(item.id)]).toEqual([0, [0, 0]]);
  });

  it("does not count an operator's grant as buying", async () => {
    const item = await insertItem(fx.orgId);
    const grant = await call("POST", "/v1/operator/entitlements", {
      token: fx.operator.accessToken,
      body: { itemId: item.id, userId: fx.member.id, reason: "press" },
    });
    expect(grant.status).toBe(201);
    const res = await review(fx.member, item.slug, { rating: 5 });
    expect([res.status, errorCode(res)]).toEqual([403, "forbidden"]);
  });

  it("refuses a buyer whose entitlement was revoked", async () => {
    const item = await insertItem(fx.orgId);
    const entitlement = await getFreeItem(fx.member, item.slug);
    await revokeEntitlement(ctx, { entitlementId: entitlement.id, reason: "refund" });
    expect((await review(fx.member, item.slug, { rating: 4 })).status).toBe(403);
  });

  it("allows one review per buyer: the second is 409 and leaves the aggregate alone", async () => {
    const { item } = await reviewedItem(fx.orgId, fx.member, 4);
    const second = await review(fx.member, item.slug, { rating: 1 });
    expect([second.status, errorCode(second)]).toEqual([409, "conflict"]);
    expect([await reviewCount(item.id), await aggregate(item.id)]).toEqual([1, [1, 4]]);
  });

  it("lets the unique index decide two racing first reviews", async () => {
    const item = await insertItem(fx.orgId);
    await getFreeItem(fx.member, item.slug);
    const results = await Promise.all([review(fx.member, item.slug, { rating: 5 }), review(fx.member, item.slug, { rating: 1 })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = results.find((r) => r.status === 201)!.body.rating;
    expect(await aggregate(item.id)).toEqual([1, winner]);
  });

  it("validates the rating", async () => {
    const item = await insertItem(fx.orgId);
    await getFreeItem(fx.member, item.slug);
    expect((await review(fx.member, item.slug, { rating: 6 })).status).toBe(400);
    expect((await review(fx.member, item.slug, { rating: 2.5 })).status).toBe(400);
  });
});

describe("the aggregate follows each review", () => {
  it("after create, edit and delete", async () => {
    const item = await insertItem(fx.orgId);
    const [a, b] = [await createUser("a"), await createUser("b")];
    await Promise.all([getFreeItem(a, item.slug), getFreeItem(b, item.slug)]);
    await postReview(a, item.slug, 5);
    await postReview(b, item.slug, 2);
    expect(await aggregate(item.id)).toEqual([2, 7]);

    const edited = await call("PATCH", `/v1/items/${item.slug}/reviews/mine`, {
      token: a.accessToken,
      body: { rating: 3, title: "Changed my mind" },
    });
    expect([edited.status, edited.body.rating, edited.body.title, edited.body.body]).toEqual([200, 3, "Changed my mind", "Works for me"]);
    expect(await aggregate(item.id)).toEqual([2, 5]);
    await call("PATCH", `/v1/items/${item.slug}/reviews/mine`, { token: a.accessToken, body: { body: "Text only" } });
    expect(await aggregate(item.id)).toEqual([2, 5]);

    expect((await call("DELETE", `/v1/items/${item.slug}/reviews/mine`, { token: b.accessToken })).status).toBe(204);
    expect(await aggregate(item.id)).toEqual([1, 3]);
    expect((await call("DELETE", `/v1/items/${item.slug}/reviews/mine`, { token: b.accessToken })).status).toBe(404);
    expect(await aggregate(item.id)).toEqual([1, 3]);
  });

  it("editing or deleting an uncounted review leaves the aggregate alone", async () => {
    const { item } = await reviewedItem(fx.orgId, fx.admin, 5);
    const ent = (await call("GET", "/v1/me/entitlements", { token: fx.admin.accessToken })).body.data.find(
      (e: { itemId: string }) => e.itemId === item.id,
    );
    await revokeEntitlement(ctx, { entitlementId: ent.id, reason: "refund" });
    expect(await aggregate(item.id)).toEqual([0, 0]);
    expect((await call("PATCH", `/v1/items/${item.slug}/reviews/mine`, { token: fx.admin.accessToken, body: { rating: 1 } })).status).toBe(
      200,
    );
    expect((await call("DELETE", `/v1/items/${item.slug}/reviews/mine`, { token: fx.admin.accessToken })).status).toBe(204);
    expect(await aggregate(item.id)).toEqual([0, 0]);
  });

  it("editing someone else's review is impossible: /mine is yours (404 without one)", async () => {
    const { item } = await reviewedItem(fx.orgId, fx.member, 5);
    expect(
      (await call("PATCH", `/v1/items/${item.slug}/reviews/mine`, { token: fx.outsider.accessToken, body: { rating: 1 } })).status,
    ).toBe(404);
    expect(await aggregate(item.id)).toEqual([1, 5]);
  });
});

describe("listing", () => {
  it("shows newest first with the reviewer's name and the reply, paginated", async () => {
    const item = await insertItem(fx.orgId);
    const users = [fx.member, fx.admin, fx.outsider];
    for (const [i, user] of users.entries()) {
      await getFreeItem(user, item.slug);
      const posted = await postReview(user, item.slug, i + 3);
      // Distinct timestamps, so "newest first" does not depend on how fast the requests ran.
      await db
        .update(reviews)
        .set({ createdAt: 1_700_000_000_000 + i })
        .where(eq(reviews.id, posted.id));
    }
    const first = await call("GET", `/v1/items/${item.slug}/reviews?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.data.map((r: { userName: string }) => r.userName)).toEqual(["outsider", "admin"]);
    const rest = await call("GET", `/v1/items/${item.slug}/reviews?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect([rest.body.data.map((r: { userName: string }) => r.userName), rest.body.nextCursor]).toEqual([["member"], null]);
    expect(first.body.data[0].reply).toBeNull();

    const target = rest.body.data[0];
    await call("POST", `/v1/orgs/${fx.orgId}/items/${item.id}/reviews/${target.id}/reply`, {
      token: fx.admin.accessToken,
      body: { body: "Thank you" },
    });
    const again = await call("GET", `/v1/items/${item.slug}/reviews?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(again.body.data[0].reply).toEqual({ body: "Thank you", createdAt: expect.any(Number), editedAt: null });
  });

  it("404s for items the public cannot see", async () => {
    const item = await insertItem(fx.orgId, { status: "draft" });
    expect((await call("GET", `/v1/items/${item.slug}/reviews`)).status).toBe(404);
  });
});

describe("the author's reply", () => {
  it("is allowed once, audited under the item's org", async () => {
    const { item, review: r } = await reviewedItem(fx.orgId, fx.outsider, 2);
    const path = `/v1/orgs/${fx.orgId}/items/${item.id}/reviews/${r.id}/reply`;
    const first = await call("POST", path, { token: fx.admin.accessToken, body: { body: "We fixed it in 1.2" } });
    expect([first.status, first.body.reply?.body]).toEqual([200, "We fixed it in 1.2"]);
    const second = await call("POST", path, { token: fx.owner.accessToken, body: { body: "Again" } });
    expect([second.status, errorCode(second)]).toEqual([409, "conflict"]);
    const [stored] = await db.select().from(reviews).where(eq(reviews.id, r.id));
    expect([stored?.replyBody, stored?.replyBy]).toEqual(["We fixed it in 1.2", fx.admin.id]);
    const audit = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "review.replied"), eq(auditEvents.targetId, r.id)));
    expect(audit).toEqual([expect.objectContaining({ orgId: fx.orgId, actorUserId: fx.admin.id })]);
  });

  it("needs admin (member 403)", async () => {
    const { item, review: r } = await reviewedItem(fx.orgId, fx.outsider, 2);
    const res = await call("POST", `/v1/orgs/${fx.orgId}/items/${item.id}/reviews/${r.id}/reply`, {
      token: fx.member.accessToken,
      body: { body: "Hi" },
    });
    expect([res.status, errorCode(res)]).toEqual([403, "forbidden"]);
  });

  it("another org's admin cannot reply to this org's reviews (404), by either org's path", async () => {
    const { item, review: r } = await reviewedItem(fx.orgId, fx.member, 2);
    const viaThisOrg = await call("POST", `/v1/orgs/${fx.orgId}/items/${item.id}/reviews/${r.id}/reply`, {
      token: fx.outsider.accessToken,
      body: { body: "Hi" },
    });
    const viaOwnOrg = await call("POST", `/v1/orgs/${fx.outsiderOrgId}/items/${item.id}/reviews/${r.id}/reply`, {
      token: fx.outsider.accessToken,
      body: { body: "Hi" },
    });
    expect([viaThisOrg.status, viaOwnOrg.status]).toEqual([404, 404]);
    // A review of another of this org's items does not match either.
    const other = await insertItem(fx.orgId);
    const mismatched = await call("POST", `/v1/orgs/${fx.orgId}/items/${other.id}/reviews/${r.id}/reply`, {
      token: fx.admin.accessToken,
      body: { body: "Hi" },
    });
    expect(mismatched.status).toBe(404);
    expect((await db.select().from(reviews).where(eq(reviews.id, r.id)))[0]?.replyBody).toBeNull();
  });
});
