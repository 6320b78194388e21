import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createItemViaApi, publishedItem, publishVersion } from "../../test/catalog-api";
import { type OrgFixture, orgFixture } from "../../test/fixtures";
import { call } from "../../test/http";
import { newId } from "../crypto/random";
import { createDb } from "../db/client";
import { orderItems, orders } from "../db/schema";

const DAY = 24 * 60 * 60 * 1000;
let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

/** A sale of `itemId` recorded straight into D1 (how sales come to exist is checkout's and billing's test). */
async function insertSale(
  orgId: string,
  itemId: string,
  o: { ageMs?: number; quantity?: number; status?: "paid" | "refunded" | "partially_refunded" },
) {
  const db = createDb(env.DB);
  const id = newId("order");
  await db.batch([
    db.insert(orders).values({
      id,
      sourceId: `cs_test_${id}`,
      kind: "purchase",
      orgId,
      userId: fx.member.id,
      email: "buyer@example.test",
      status: o.status ?? "paid",
      amount: 1000,
      feeAmount: 130,
      currency: "usd",
      createdAt: Date.now() - (o.ageMs ?? 0),
    }),
    db.insert(orderItems).values({ orderId: id, itemId, orgId, quantity: o.quantity ?? 1, amount: 1000 }),
  ]);
}

const list = (query = "") => call("GET", `/v1/orgs/${fx.orgId}/studio/items${query}`, { token: fx.member.accessToken });

describe("the studio's item list", () => {
  it("shows each item's newest version per channel in semver order, and its sales of the last 30 days", async () => {
    const item = await publishedItem(fx.owner, fx.orgId, { slug: `studio-sold-${Date.now().toString(36)}`, name: "Sold" }, "1.9.0");
    for (const [version, channel] of [
      ["1.10.0", "stable"],
      ["2.0.0-beta.1", "beta"],
    ] as const) {
      expect((await publishVersion(fx.owner, item.slug, version, { channel })).status).toBe(201);
    }
    await insertSale(fx.orgId, item.id, { quantity: 2 });
    await insertSale(fx.orgId, item.id, { status: "partially_refunded" });
    await insertSale(fx.orgId, item.id, { status: "refunded" });
    await insertSale(fx.orgId, item.id, { ageMs: 31 * DAY });

    const res = await list();
    expect(res.status).toBe(200);
    const row = res.body.data.find((i: { id: string }) => i.id === item.id);
    expect(row).toMatchObject({
      status: "published",
      latestVersions: { stable: "1.10.0", beta: "2.0.0-beta.1" },
      salesLast30Days: 3,
      moderationReason: null,
    });
  });

  it("filters by status, and shows an operator's reason for removing an item", async () => {
    const draft = await createItemViaApi(fx.owner, fx.orgId, { slug: `studio-draft-${Date.now().toString(36)}`, name: "Draft" });
    const removed = await publishedItem(fx.owner, fx.orgId, { slug: `studio-gone-${Date.now().toString(36)}`, name: "Gone" });
    const moderated = await call("POST", `/v1/operator/items/${removed.id}/moderation`, {
      token: fx.operator.accessToken,
      body: { action: "remove", reason: "Malware in 1.0.0" },
    });
    expect(moderated.status).toBe(200);

    const drafts = await list("?status=draft");
    expect(drafts.body.data.map((i: { id: string }) => i.id)).toContain(draft.id);
    expect(drafts.body.data.every((i: { status: string }) => i.status === "draft")).toBe(true);
    const gone = await list("?status=removed");
    expect(gone.body.data).toEqual([expect.objectContaining({ id: removed.id, status: "removed", moderationReason: "Malware in 1.0.0" })]);
    expect((await list("?status=nope")).status).toBe(400);
    const one = await call("GET", `/v1/orgs/${fx.orgId}/studio/items/${removed.id}`, { token: fx.member.accessToken });
    expect(one.body).toMatchObject({ id: removed.id, status: "removed", moderationReason: "Malware in 1.0.0", salesLast30Days: 0 });
  });

  it("shows one item only under its own org", async () => {
    const other = await createItemViaApi(fx.outsider, fx.outsiderOrgId, { slug: `studio-other-${Date.now().toString(36)}`, name: "Other" });
    const res = await call("GET", `/v1/orgs/${fx.orgId}/studio/items/${other.id}`, { token: fx.owner.accessToken });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});
