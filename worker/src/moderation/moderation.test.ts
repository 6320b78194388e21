import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { insertItem } from "../../test/catalog-fixtures";
import { type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { findVisibleItemBySlug } from "../catalog/queries";
import { createDb } from "../db/client";
import { items } from "../db/schema";

const db = createDb(env.DB);
let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

const moderate = (itemId: string, action: string, reason = "policy") =>
  call("POST", `/v1/operator/items/${itemId}/moderation`, { token: fx.operator.accessToken, body: { action, reason } });
const stored = async (itemId: string) =>
  (await db.select({ status: items.status, moderationReason: items.moderationReason }).from(items).where(eq(items.id, itemId)))[0]!;

describe("operator moderation", () => {
  it("removing hides the item from the public and audits the reason under its org", async () => {
    const item = await insertItem(fx.orgId);
    const res = await moderate(item.id, "remove", "malware reported by three users");
    expect([res.status, res.body.status]).toEqual([200, "removed"]);
    expect(await stored(item.id)).toEqual({ status: "removed", moderationReason: "malware reported by three users" });

    await expect(findVisibleItemBySlug(db, item.slug)).rejects.toMatchObject({ code: "not_found", status: 404 });
    expect((await call("GET", `/v1/items/${item.slug}/reviews`)).status).toBe(404);
    expect((await call("POST", `/v1/items/${item.slug}/get`, { token: fx.member.accessToken })).status).toBe(404);

    const log = await call("GET", `/v1/orgs/${fx.orgId}/audit-log`, { token: fx.admin.accessToken });
    expect(log.body.data).toContainEqual(
      expect.objectContaining({
        action: "item.moderated",
        actorUserId: fx.operator.id,
        targetId: item.id,
        metadata: { action: "remove", reason: "malware reported by three users", from: "published", to: "removed" },
      }),
    );
  });

  it("unlisting keeps the item reachable by link; restoring publishes it and clears the reason", async () => {
    const item = await insertItem(fx.orgId);
    expect((await moderate(item.id, "unlist", "misleading name")).body.status).toBe("unlisted");
    expect((await findVisibleItemBySlug(db, item.slug)).item.status).toBe("unlisted");

    const restored = await moderate(item.id, "restore", "renamed");
    expect([restored.status, restored.body.status]).toEqual([200, "published"]);
    expect(await stored(item.id)).toEqual({ status: "published", moderationReason: null });
  });

  it("restore only undoes moderation (409 otherwise)", async () => {
    const draft = await insertItem(fx.orgId, { status: "draft" });
    const res = await moderate(draft.id, "restore");
    expect([res.status, errorCode(res)]).toEqual([409, "conflict"]);
    expect((await stored(draft.id)).status).toBe("draft");
  });

  it("rejects unknown items, unknown actions and missing reasons", async () => {
    expect((await moderate("itm_doesnotexist00000000", "remove")).status).toBe(404);
    const item = await insertItem(fx.orgId);
    expect((await moderate(item.id, "delete")).status).toBe(400);
    expect((await moderate(item.id, "remove", " ")).status).toBe(400);
    expect((await stored(item.id)).status).toBe("published");
  });

  it("org owners cannot moderate, not even their own items (404, as if there were no such route)", async () => {
    const item = await insertItem(fx.orgId);
    const res = await call("POST", `/v1/operator/items/${item.id}/moderation`, {
      token: fx.owner.accessToken,
      body: { action: "remove", reason: "x" },
    });
    expect([res.status, errorCode(res)]).toEqual([404, "not_found"]);
  });
});
