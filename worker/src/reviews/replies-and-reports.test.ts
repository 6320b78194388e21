import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { insertItem } from "../../test/catalog-fixtures";
import { testContext } from "../../test/context";
import { getFreeItem } from "../../test/entitlement-fixtures";
import { createUser, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { notificationsOf } from "../../test/notification-fixtures";
import { postReview, reviewedItem } from "../../test/review-fixtures";
import { createDb } from "../db/client";
import { auditEvents, reviewReports, reviews } from "../db/schema";
import { revokeEntitlement } from "../entitlements";

const db = createDb(env.DB);
const ctx = testContext();
let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

const auditOf = (action: "review.replied" | "review.reply_edited" | "review.reported", reviewId: string) =>
  db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.targetId, reviewId)));
const storedReview = async (id: string) => (await db.select().from(reviews).where(eq(reviews.id, id)))[0]!;

describe("editing the author's reply (PUT …/reply)", () => {
  it("posts the first reply, then edits it: the text and edited time change, its author and first time stay, each audited", async () => {
    const { item, review } = await reviewedItem(fx.orgId, fx.outsider, 2);
    const path = `/v1/orgs/${fx.orgId}/items/${item.id}/reviews/${review.id}/reply`;
    const first = await call("PUT", path, { token: fx.admin.accessToken, body: { body: "Thanks, fixed in 1.2" } });
    expect([first.status, first.body.reply]).toEqual([
      200,
      { body: "Thanks, fixed in 1.2", createdAt: expect.any(Number), editedAt: null },
    ]);
    const posted = await storedReview(review.id);
    // The org's admins were told of the review; the reviewer is told of the first reply, once.
    const ofThisItem = (n: { link: string | null }) => n.link?.includes(item.id) || n.link?.endsWith(`/review/${item.slug}`);
    expect((await notificationsOf(fx.admin.id, "review")).filter(ofThisItem)).toMatchObject([
      { title: `A new review of ${item.name}: 2 of 5 stars`, org_id: fx.orgId },
    ]);
    expect((await notificationsOf(fx.member.id, "review")).filter(ofThisItem)).toEqual([]);
    const replied = [
      { title: `The author of ${item.name} replied to your review`, body: "Thanks, fixed in 1.2", link: `/review/${item.slug}` },
    ];
    expect((await notificationsOf(fx.outsider.id, "review_reply")).filter(ofThisItem)).toMatchObject(replied);

    const edited = await call("PUT", path, { token: fx.owner.accessToken, body: { body: "Fixed in 1.2.1, actually" } });
    expect([edited.status, edited.body.reply.body, edited.body.reply.createdAt]).toEqual([200, "Fixed in 1.2.1, actually", posted.replyAt]);
    expect(edited.body.reply.editedAt).toBeGreaterThanOrEqual(posted.replyAt!);
    const stored = await storedReview(review.id);
    expect([stored.replyBody, stored.replyBy, stored.replyAt]).toEqual(["Fixed in 1.2.1, actually", fx.admin.id, posted.replyAt]);

    expect(await auditOf("review.replied", review.id)).toEqual([expect.objectContaining({ orgId: fx.orgId, actorUserId: fx.admin.id })]);
    expect(await auditOf("review.reply_edited", review.id)).toEqual([
      expect.objectContaining({ orgId: fx.orgId, actorUserId: fx.owner.id, metadata: { itemId: item.id } }),
    ]);
    const listed = await call("GET", `/v1/items/${item.slug}/reviews`);
    expect(listed.body.data[0].reply).toEqual(edited.body.reply);
    expect((await notificationsOf(fx.outsider.id, "review_reply")).filter(ofThisItem)).toMatchObject(replied);
  });

  it("edits a reply first posted with POST; POST still refuses a second reply", async () => {
    const { item, review } = await reviewedItem(fx.orgId, fx.outsider, 3);
    const path = `/v1/orgs/${fx.orgId}/items/${item.id}/reviews/${review.id}/reply`;
    expect((await call("POST", path, { token: fx.admin.accessToken, body: { body: "Hello" } })).status).toBe(200);
    expect((await call("POST", path, { token: fx.admin.accessToken, body: { body: "Again" } })).status).toBe(409);
    const edited = await call("PUT", path, { token: fx.admin.accessToken, body: { body: "Hello again" } });
    expect([edited.status, edited.body.reply.body]).toEqual([200, "Hello again"]);
  });

  it("refuses an empty reply (400 naming the field), members (403) and another org's admin (404)", async () => {
    const { item, review } = await reviewedItem(fx.orgId, fx.member, 2);
    const path = `/v1/orgs/${fx.orgId}/items/${item.id}/reviews/${review.id}/reply`;
    const empty = await call("PUT", path, { token: fx.admin.accessToken, body: { body: "  " } });
    expect([empty.status, Object.keys(empty.body.error.fields ?? {})]).toEqual([400, ["body.body"]]);
    expect((await call("PUT", path, { token: fx.member.accessToken, body: { body: "Hi" } })).status).toBe(403);
    expect((await call("PUT", path, { token: fx.outsider.accessToken, body: { body: "Hi" } })).status).toBe(404);
    const viaOwnOrg = `/v1/orgs/${fx.outsiderOrgId}/items/${item.id}/reviews/${review.id}/reply`;
    expect((await call("PUT", viaOwnOrg, { token: fx.outsider.accessToken, body: { body: "Hi" } })).status).toBe(404);
    expect((await storedReview(review.id)).replyBody).toBeNull();
  });
});

describe("reporting a review to the operators", () => {
  it("stores the reason once, audits it under the org, and shows it to operators and the org", async () => {
    const { item, review } = await reviewedItem(fx.orgId, fx.outsider, 1);
    const path = `/v1/orgs/${fx.orgId}/items/${item.id}/reviews/${review.id}/report`;
    const res = await call("POST", path, { token: fx.admin.accessToken, body: { reason: "Spam: links to a scam site" } });
    expect([res.status, res.body]).toEqual([201, { reason: "Spam: links to a scam site", createdAt: expect.any(Number) }]);
    const again = await call("POST", path, { token: fx.owner.accessToken, body: { reason: "Still spam" } });
    expect([again.status, errorCode(again)]).toEqual([409, "conflict"]);

    expect(await db.select().from(reviewReports).where(eq(reviewReports.reviewId, review.id))).toEqual([
      expect.objectContaining({ orgId: fx.orgId, reportedBy: fx.admin.id, reason: "Spam: links to a scam site" }),
    ]);
    expect(await auditOf("review.reported", review.id)).toEqual([
      expect.objectContaining({
        orgId: fx.orgId,
        actorUserId: fx.admin.id,
        metadata: { itemId: item.id, reason: "Spam: links to a scam site" },
      }),
    ]);

    const operatorList = await call("GET", "/v1/operator/review-reports?limit=50", { token: fx.operator.accessToken });
    expect(operatorList.body.data).toContainEqual({
      id: expect.stringMatching(/^rrp_/),
      reason: "Spam: links to a scam site",
      createdAt: res.body.createdAt,
      orgId: fx.orgId,
      reportedBy: { userId: fx.admin.id, email: fx.admin.email },
      item: { id: item.id, slug: item.slug, name: item.name },
      review: { id: review.id, userName: "outsider", rating: 1, title: "1 stars", body: "Works for me" },
    });

    const orgList = await call("GET", `/v1/orgs/${fx.orgId}/items/${item.id}/reviews`, { token: fx.member.accessToken });
    expect(orgList.body.data[0].report).toEqual(res.body);
  });

  it("pages the operators' list newest first", async () => {
    const reported: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { item, review } = await reviewedItem(fx.orgId, fx.outsider, 1);
      await call("POST", `/v1/orgs/${fx.orgId}/items/${item.id}/reviews/${review.id}/report`, {
        token: fx.admin.accessToken,
        body: { reason: `report ${i}` },
      });
      // Distinct times, so the order does not depend on how fast the requests ran.
      await db
        .update(reviewReports)
        .set({ createdAt: 4_000_000_000_000 + i })
        .where(eq(reviewReports.reviewId, review.id));
      reported.push(review.id);
    }
    const first = await call("GET", "/v1/operator/review-reports?limit=2", { token: fx.operator.accessToken });
    expect(first.body.data.map((r: { reason: string }) => r.reason)).toEqual(["report 2", "report 1"]);
    const next = await call("GET", `/v1/operator/review-reports?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, {
      token: fx.operator.accessToken,
    });
    expect(next.body.data.map((r: { reason: string }) => r.reason)).toEqual(["report 0"]);
  });

  it("needs a reason (400), an admin (member 403) and a review of this org's item (404)", async () => {
    const { item, review } = await reviewedItem(fx.orgId, fx.member, 2);
    const path = `/v1/orgs/${fx.orgId}/items/${item.id}/reviews/${review.id}/report`;
    const noReason = await call("POST", path, { token: fx.admin.accessToken, body: { reason: " " } });
    expect([noReason.status, Object.keys(noReason.body.error.fields ?? {})]).toEqual([400, ["body.reason"]]);
    expect((await call("POST", path, { token: fx.member.accessToken, body: { reason: "spam" } })).status).toBe(403);
    const other = await insertItem(fx.orgId);
    const mismatched = `/v1/orgs/${fx.orgId}/items/${other.id}/reviews/${review.id}/report`;
    expect((await call("POST", mismatched, { token: fx.admin.accessToken, body: { reason: "spam" } })).status).toBe(404);
    const viaOwnOrg = `/v1/orgs/${fx.outsiderOrgId}/items/${item.id}/reviews/${review.id}/report`;
    expect((await call("POST", viaOwnOrg, { token: fx.outsider.accessToken, body: { reason: "spam" } })).status).toBe(404);
    expect(await db.$count(reviewReports, eq(reviewReports.reviewId, review.id))).toBe(0);
  });
});

describe("the org's view of an item's reviews", () => {
  it("lists every review, newest first, saying whether its rating counts; the public list leaves uncounted ones out", async () => {
    const item = await insertItem(fx.orgId);
    const [kept, refunded] = [await createUser("kept"), await createUser("refunded")];
    await getFreeItem(kept, item.slug);
    const entitlement = await getFreeItem(refunded, item.slug);
    const a = await postReview(kept, item.slug, 5);
    const b = await postReview(refunded, item.slug, 1);
    await db.update(reviews).set({ createdAt: 1_700_000_000_000 }).where(eq(reviews.id, a.id));
    await revokeEntitlement(ctx, { entitlementId: entitlement.id, reason: "refund" });

    const org = await call("GET", `/v1/orgs/${fx.orgId}/items/${item.id}/reviews`, { token: fx.member.accessToken });
    expect(org.body.data.map((r: { id: string; counted: boolean; report: unknown }) => [r.id, r.counted, r.report])).toEqual([
      [b.id, false, null],
      [a.id, true, null],
    ]);
    const open = await call("GET", `/v1/items/${item.slug}/reviews`);
    expect(open.body.data.map((r: { id: string }) => r.id)).toEqual([a.id]);
  });

  it("is the org's own: another org's item is 404", async () => {
    const { item } = await reviewedItem(fx.orgId, fx.member, 4);
    const res = await call("GET", `/v1/orgs/${fx.outsiderOrgId}/items/${item.id}/reviews`, { token: fx.outsider.accessToken });
    expect(res.status).toBe(404);
  });
});

describe("the buyer's own review", () => {
  it("says whether the caller may review, and gives their review, kept after a refund that ends their right", async () => {
    const item = await insertItem(fx.orgId);
    const buyer = await createUser("buyer");
    const mine = () => call("GET", `/v1/items/${item.slug}/reviews/mine`, { token: buyer.accessToken });
    expect((await mine()).body).toEqual({ review: null, canReview: false });
    const entitlement = await getFreeItem(buyer, item.slug);
    expect((await mine()).body).toEqual({ review: null, canReview: true });
    const posted = await postReview(buyer, item.slug, 4);
    expect((await mine()).body).toEqual({
      review: expect.objectContaining({ id: posted.id, rating: 4, userName: "buyer" }),
      canReview: true,
    });
    await revokeEntitlement(ctx, { entitlementId: entitlement.id, reason: "refund" });
    expect((await mine()).body).toEqual({ review: expect.objectContaining({ id: posted.id }), canReview: false });
  });

  it("an operator's grant does not make a buyer", async () => {
    const item = await insertItem(fx.orgId);
    const granted = await createUser("granted");
    await call("POST", "/v1/operator/entitlements", {
      token: fx.operator.accessToken,
      body: { itemId: item.id, userId: granted.id, reason: "press" },
    });
    const res = await call("GET", `/v1/items/${item.slug}/reviews/mine`, { token: granted.accessToken });
    expect(res.body).toEqual({ review: null, canReview: false });
  });

  it("lists only the caller's reviews at /v1/me/reviews", async () => {
    const reviewer = await createUser("reviewer");
    const { item } = await reviewedItem(fx.orgId, reviewer, 5);
    await reviewedItem(fx.orgId, fx.member, 3);
    const res = await call("GET", "/v1/me/reviews", { token: reviewer.accessToken });
    expect(res.body.data.map((r: { itemId: string; rating: number }) => [r.itemId, r.rating])).toEqual([[item.id, 5]]);
  });

  it("404s for items the public cannot see", async () => {
    const draft = await insertItem(fx.orgId, { status: "draft" });
    expect((await call("GET", `/v1/items/${draft.slug}/reviews/mine`, { token: fx.member.accessToken })).status).toBe(404);
  });
});
