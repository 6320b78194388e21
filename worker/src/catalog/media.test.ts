import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_SCREENSHOTS } from "../../../shared/catalog";
import { insertItem } from "../../test/catalog-fixtures";
import { type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { statusCounts } from "../../test/rate-limits";

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

describe("reordering screenshots", () => {
  const reorder = (itemId: string, keys: string[]) =>
    call("PUT", screenshots(itemId), { token: fx.admin.accessToken, body: { screenshotUrls: keys.map((k) => `/media/${k}`) } });

  it("puts the screenshots in the order given", async () => {
    const item = await insertItem(fx.orgId);
    for (let i = 0; i < 3; i++) expect((await addScreenshot(item.id)).status).toBe(201);
    const [a, b, c] = await listed(item.id);
    const res = await reorder(item.id, [c!, a!, b!]);
    expect(res.status).toBe(200);
    expect(res.body.screenshotUrls).toEqual([c, a, b].map((k) => `/media/${k}`));
    expect(await listed(item.id)).toEqual([c, a, b]);
  });

  it("a list read before another change (one missing, one repeated, one unknown) is 409 and nothing moves", async () => {
    const item = await insertItem(fx.orgId);
    for (let i = 0; i < 2; i++) expect((await addScreenshot(item.id)).status).toBe(201);
    const before = await listed(item.id);
    const [a, b] = before;
    for (const stale of [[b!], [b!, a!, a!], [b!, `items/${item.id}/other.png`], [b!, a!, `items/${item.id}/other.png`]]) {
      const res = await reorder(item.id, stale);
      expect([res.status, errorCode(res)]).toEqual([409, "conflict"]);
    }
    expect(await listed(item.id)).toEqual(before);
  });

  it("beside concurrent adds: no add is lost, whether or not the reorder wins", async () => {
    // Several rounds, so some reorder reads its list before an add lands and writes after it.
    for (let round = 0; round < 4; round++) {
      const item = await insertItem(fx.orgId);
      for (let i = 0; i < 2; i++) expect((await addScreenshot(item.id)).status).toBe(201);
      const [a, b] = await listed(item.id);
      const adds = Array.from({ length: 3 }, () => addScreenshot(item.id));
      const reordered = await reorder(item.id, [b!, a!]);
      expect((await Promise.all(adds)).map((r) => r.status)).toEqual([201, 201, 201]);
      expect([200, 409]).toContain(reordered.status);
      const keys = await listed(item.id);
      expect(keys).toHaveLength(5);
      expect(keys.slice(0, 2)).toEqual(reordered.status === 200 ? [b, a] : [a, b]);
    }
  });
});

describe("image types", () => {
  it("a content type named like an object's own property (constructor, __proto__) is refused like any other: 415", async () => {
    const item = await insertItem(fx.orgId);
    for (const type of ["constructor", "__proto__", "toString"]) {
      const res = await call("PUT", `/v1/orgs/${fx.orgId}/items/${item.id}/icon`, {
        token: fx.admin.accessToken,
        rawBody: "not an image",
        headers: { "content-type": type, "content-length": "12" },
      });
      expect([type, res.status, errorCode(res)]).toEqual([type, 415, "unsupported_media_type"]);
    }
    expect(await stored(item.id)).toEqual([]);
  });
});
