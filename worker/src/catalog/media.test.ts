import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { insertItem } from "../../test/catalog-fixtures";
import { type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { statusCounts } from "../../test/rate-limits";
import { MAX_SCREENSHOTS } from "./media";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

const screenshots = (itemId: string) => `/v1/orgs/${fx.orgId}/items/${itemId}/screenshots`;
const addScreenshot = (itemId: string) => {
  const bytes = `png ${crypto.randomUUID()}`;
  return call("POST", screenshots(itemId), {
    token: fx.admin.accessToken,
    rawBody: bytes,
    headers: { "content-type": "image/png", "content-length": String(bytes.length) },
  });
};
const listed = async (itemId: string): Promise<string[]> =>
  (await call("GET", `/v1/orgs/${fx.orgId}/items/${itemId}`, { token: fx.admin.accessToken })).body.screenshotUrls.map((url: string) =>
    url.replace(/^\/media\//, ""),
  );
const stored = async (itemId: string) => (await env.BUCKET.list({ prefix: `items/${itemId}/` })).objects.map((o) => o.key);

describe("screenshots", () => {
  it("concurrent adds: none is lost, exactly the cap is kept, the rest get 409 conflict and leave no image behind", async () => {
    const item = await insertItem(fx.orgId);
    const answers = await Promise.all(Array.from({ length: 2 * MAX_SCREENSHOTS }, () => addScreenshot(item.id)));
    expect(statusCounts(answers)).toEqual({ 201: MAX_SCREENSHOTS, 409: MAX_SCREENSHOTS });
    for (const refused of answers.filter((a) => a.status === 409)) expect(errorCode(refused)).toBe("conflict");
    const keys = await listed(item.id);
    expect(keys).toHaveLength(MAX_SCREENSHOTS);
    expect((await stored(item.id)).sort()).toEqual([...keys].sort());
  });

  it("a removal beside concurrent adds removes its own screenshot only and drops no add", async () => {
    const item = await insertItem(fx.orgId);
    for (let i = 0; i < 2; i++) expect((await addScreenshot(item.id)).status).toBe(201);
    const [first, second] = await listed(item.id);
    const [removed, ...added] = await Promise.all([
      call("DELETE", `${screenshots(item.id)}/0`, { token: fx.admin.accessToken }),
      ...Array.from({ length: 3 }, () => addScreenshot(item.id)),
    ]);
    expect([removed!.status, ...added.map((a) => a.status)]).toEqual([204, 201, 201, 201]);
    const keys = await listed(item.id);
    expect(keys).toHaveLength(4);
    expect(keys[0]).toBe(second);
    expect(keys).not.toContain(first);
    expect((await stored(item.id)).sort()).toEqual([...keys].sort());
  });

  it("removing a position past the end is 404, and the list stays as it was", async () => {
    const item = await insertItem(fx.orgId);
    expect((await addScreenshot(item.id)).status).toBe(201);
    const before = await listed(item.id);
    const res = await call("DELETE", `${screenshots(item.id)}/1`, { token: fx.admin.accessToken });
    expect([res.status, errorCode(res)]).toEqual([404, "not_found"]);
    expect(await listed(item.id)).toEqual(before);
  });
});
