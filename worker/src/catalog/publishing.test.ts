import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { bundleBytes, createItemViaApi, MANIFEST, publishedItem, publishVersion, putBytes, sha256Hex } from "../../test/catalog-api";
import { eventually } from "../../test/eventually";
import { createOrg, createUser, type TestUser } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { fixtureBytes, SMALL_PNG } from "../../test/media-fixtures";
import { bundleKey } from "./versions";

let author: TestUser;
let orgId: string;
beforeAll(async () => {
  author = await createUser("author");
  orgId = (await createOrg(author)).id;
});

const startUpload = (slug: string, body: Record<string, unknown>) =>
  call("POST", `/v1/items/${slug}/uploads`, { token: author.accessToken, body });

describe("items", () => {
  it("are created as drafts, invisible to the public until published with a version", async () => {
    const item = await createItemViaApi(author, orgId, {
      slug: "draft-thing",
      name: "Draft thing",
      tags: ["Markdown", "markdown", "editor"],
      pricing: { model: "one_time", amount: 900, currency: "usd" },
    });
    const own = await call("GET", `/v1/orgs/${orgId}/items/${item.id}`, { token: author.accessToken });
    expect(own.body).toMatchObject({
      status: "draft",
      tags: ["markdown", "editor"],
      pricing: { model: "one_time", amount: 900, currency: "usd" },
      latestVersion: null,
    });
    expect((await call("GET", "/v1/items/draft-thing")).status).toBe(404);

    const early = await call("PATCH", `/v1/orgs/${orgId}/items/${item.id}`, { token: author.accessToken, body: { status: "published" } });
    expect([early.status, errorCode(early)]).toEqual([409, "conflict"]);
    expect((await publishVersion(author, "draft-thing", "0.1.0")).status).toBe(201);
    expect(
      (await call("PATCH", `/v1/orgs/${orgId}/items/${item.id}`, { token: author.accessToken, body: { status: "published" } })).status,
    ).toBe(200);
    expect((await call("GET", "/v1/items/draft-thing")).body).toMatchObject({ status: "published", latestVersion: "0.1.0" });
  });

  it("refuse a taken slug, a slug one edit from another org's published item, and bad input", async () => {
    const rival = await createUser("rival");
    const rivalOrg = await createOrg(rival);
    await publishedItem(rival, rivalOrg.id, { slug: "left-pad", name: "Left pad" });

    const taken = await call("POST", `/v1/orgs/${orgId}/items`, {
      token: author.accessToken,
      body: { slug: "left-pad", name: "X", category: "other" },
    });
    expect([taken.status, Object.keys(taken.body.error.fields)]).toEqual([409, ["body.slug"]]);
    for (const squat of ["leftpad", "left-pads", "loft-pad"]) {
      const res = await call("POST", `/v1/orgs/${orgId}/items`, {
        token: author.accessToken,
        body: { slug: squat, name: "X", category: "other" },
      });
      expect([squat, res.status, errorCode(res)]).toEqual([squat, 409, "conflict"]);
    }
    // The same org may name its own items alike.
    expect(
      (
        await call("POST", `/v1/orgs/${rivalOrg.id}/items`, {
          token: rival.accessToken,
          body: { slug: "left-pads", name: "X", category: "other" },
        })
      ).status,
    ).toBe(201);

    const bad = await call("POST", `/v1/orgs/${orgId}/items`, {
      token: author.accessToken,
      body: { slug: "Bad Slug", name: "", category: "toys", pricing: { model: "one_time", amount: 5 } },
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual([
      "body.category",
      "body.name",
      "body.pricing.amount",
      "body.pricing.currency",
      "body.slug",
    ]);
  });
});

describe("publishing versions", () => {
  let slug: string;
  beforeAll(async () => {
    slug = (await createItemViaApi(author, orgId, { slug: "publish-me", name: "Publish me" })).slug;
  });

  it("stores the bundle content-addressed in R2 and lists the version", async () => {
    const bytes = bundleBytes("first");
    const res = await publishVersion(author, slug, "1.0.0", { bytes });
    expect(res.status).toBe(201);
    const sha = await sha256Hex(bytes);
    expect(res.body).toMatchObject({
      version: "1.0.0",
      channel: "stable",
      sha256: sha,
      size: bytes.length,
      yanked: false,
      engineRange: "^1.0.0",
    });
    const object = await env.BUCKET.get(bundleKey(sha));
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(bytes);
  });

  it("reports every manifest error per field before any bytes are sent", async () => {
    const before = await countUploads();
    const res = await startUpload(slug, {
      version: "1.1",
      manifest: {
        name: "Not A Slug",
        version: "x",
        entry: "../escape.js",
        engines: { plaza: "not a range" },
        permissions: ["root"],
        extra: true,
      },
      sha256: "abc",
      size: 0,
    });
    expect([res.status, errorCode(res)]).toEqual([400, "invalid_request"]);
    expect(Object.keys(res.body.error.fields).sort()).toEqual(
      [
        "body.manifest",
        "body.manifest.engines.plaza",
        "body.manifest.entry",
        "body.manifest.name",
        "body.manifest.permissions.0",
        "body.manifest.version",
        "body.sha256",
        "body.size",
        "body.version",
      ].sort(),
    );
    expect(await countUploads()).toBe(before);
  });

  it("refuses a manifest for another item or version", async () => {
    const bytes = bundleBytes("x");
    const res = await startUpload(slug, {
      version: "1.2.0",
      manifest: MANIFEST("other-item", "1.2.1"),
      sha256: await sha256Hex(bytes),
      size: bytes.length,
    });
    expect(Object.keys(res.body.error.fields).sort()).toEqual(["body.manifest.name", "body.manifest.version"]);
  });

  it("refuses an invalid, duplicate or not-greater version with 409, per channel", async () => {
    expect([(await publishVersion(author, slug, "1.0.0")).status]).toEqual([409]);
    const lower = await publishVersion(author, slug, "0.9.0");
    expect([lower.status, errorCode(lower)]).toEqual([409, "conflict"]);
    expect(lower.body.error.message).toContain("greater than 1.0.0");
    // Another channel has its own line.
    expect((await publishVersion(author, slug, "2.0.0-beta.1", { channel: "beta" })).status).toBe(201);
    expect((await publishVersion(author, slug, "1.1.0")).status).toBe(201);
  });

  it("refuses bytes whose SHA-256 differs with 422, storing nothing", async () => {
    const declared = bundleBytes("declared");
    const sent = bundleBytes("tampered").slice(0, declared.length);
    const upload = await startUpload(slug, {
      version: "1.2.0",
      manifest: MANIFEST(slug, "1.2.0"),
      sha256: await sha256Hex(declared),
      size: declared.length,
    });
    expect(upload.status).toBe(201);
    const res = await putBytes(author, upload.body.uploadUrl, sent);
    expect([res.status, res.body.error.code]).toEqual([422, "unprocessable"]);
    expect(await env.BUCKET.head(bundleKey(await sha256Hex(declared)))).toBeNull();
    expect(await env.BUCKET.head(bundleKey(await sha256Hex(sent)))).toBeNull();
    expect(await env.DB.prepare("SELECT count(*) AS n FROM versions WHERE version = '1.2.0'").first("n")).toBe(0);
    // The same upload can be retried with the right bytes.
    expect((await putBytes(author, upload.body.uploadUrl, declared)).status).toBe(201);
    expect((await putBytes(author, upload.body.uploadUrl, declared)).status).toBe(409);
  });

  it("refuses an oversize bundle with 413 and a wrong Content-Length with 400", async () => {
    const huge = await startUpload(slug, {
      version: "9.0.0",
      manifest: MANIFEST(slug, "9.0.0"),
      sha256: "a".repeat(64),
      size: 50 * 1024 * 1024 + 1,
    });
    expect([huge.status, errorCode(huge)]).toEqual([413, "payload_too_large"]);
    const bytes = bundleBytes("short");
    const upload = await startUpload(slug, {
      version: "3.0.0",
      manifest: MANIFEST(slug, "3.0.0"),
      sha256: await sha256Hex(bytes),
      size: bytes.length + 5,
    });
    const res = await putBytes(author, upload.body.uploadUrl, bytes);
    expect([res.status, res.body.error.code]).toEqual([400, "invalid_request"]);
  });

  it("yanking hides a version from new installs and recomputes the latest", async () => {
    const item = await publishedItem(author, orgId, { slug: "yankable", name: "Yankable" }, "1.0.0");
    await publishVersion(author, "yankable", "1.1.0");
    expect((await call("GET", "/v1/items/yankable")).body.latestVersion).toBe("1.1.0");
    const yank = await call("POST", `/v1/orgs/${orgId}/items/${item.id}/versions/1.1.0/yank`, { token: author.accessToken });
    expect(yank.body.yanked).toBe(true);
    expect((await call("GET", "/v1/items/yankable")).body.latestVersion).toBe("1.0.0");
    expect((await call("GET", "/v1/items/yankable/versions")).body.data.map((v: { version: string }) => v.version)).toEqual(["1.0.0"]);
    const own = await call("GET", `/v1/orgs/${orgId}/items/${item.id}/versions`, { token: author.accessToken });
    expect(own.body.data.map((v: { version: string; yanked: boolean }) => [v.version, v.yanked])).toEqual([
      ["1.1.0", true],
      ["1.0.0", false],
    ]);
    // A yanked number is never reused.
    expect((await publishVersion(author, "yankable", "1.1.0")).status).toBe(409);
    await call("POST", `/v1/orgs/${orgId}/items/${item.id}/versions/1.1.0/unyank`, { token: author.accessToken });
    expect((await call("GET", "/v1/items/yankable")).body.latestVersion).toBe("1.1.0");
  });
});

describe("update checks", () => {
  it("give the newest compatible, non-yanked version per channel", async () => {
    const item = await publishedItem(author, orgId, { slug: "updater", name: "Updater" }, "1.0.0", "^1.0.0");
    await publishVersion(author, "updater", "1.1.0", { engine: "^1.2.0" });
    await publishVersion(author, "updater", "1.2.0", { engine: "^2.0.0" });
    await publishVersion(author, "updater", "1.3.0-beta.1", { channel: "beta", engine: "^1.0.0" });
    await call("POST", `/v1/orgs/${orgId}/items/${item.id}/versions/1.1.0/yank`, { token: author.accessToken });

    const check = (engine?: string) =>
      call("POST", "/v1/updates/check", {
        body: {
          installed: [
            { item: "updater", version: "1.0.0" },
            { item: "no-such-item", version: "1.0.0" },
          ],
          engine,
        },
      });
    const change = (version: string, channel = "stable") => ({
      version,
      channel,
      changelog: `Changes in ${version}`,
      publishedAt: expect.any(Number),
    });
    expect((await check("1.5.0")).body.data).toEqual([
      { item: "updater", installed: "1.0.0", stable: null, beta: "1.3.0-beta.1", yanked: false, changes: [change("1.3.0-beta.1", "beta")] },
    ]);
    expect((await check("2.1.0")).body.data).toEqual([
      { item: "updater", installed: "1.0.0", stable: "1.2.0", beta: null, yanked: false, changes: [change("1.2.0")] },
    ]);
    expect((await check()).body.data[0]).toMatchObject({
      stable: "1.2.0",
      beta: "1.3.0-beta.1",
      changes: [change("1.3.0-beta.1", "beta"), change("1.2.0")],
    });
  });

  it("flag an installed version its author yanked", async () => {
    const item = await publishedItem(author, orgId, { slug: "yanked-install", name: "Yanked install" }, "1.0.0");
    await publishVersion(author, "yanked-install", "1.0.1");
    await call("POST", `/v1/orgs/${orgId}/items/${item.id}/versions/1.0.0/yank`, { token: author.accessToken });
    const check = (version: string) => call("POST", "/v1/updates/check", { body: { installed: [{ item: "yanked-install", version }] } });
    expect((await check("1.0.0")).body.data[0]).toMatchObject({ yanked: true, stable: "1.0.1" });
    expect((await check("1.0.1")).body.data[0]).toMatchObject({ yanked: false, stable: null, changes: [] });
  });
});

describe("media", () => {
  it("stores icons in R2 and, once processed, serves them as immutable WebP (never the original); refuses SVG", async () => {
    const item = await createItemViaApi(author, orgId, { slug: "pretty", name: "Pretty" });
    const { exports } = await import("cloudflare:workers");
    const worker = (exports as unknown as { default: Fetcher }).default;
    const png = fixtureBytes(SMALL_PNG);
    const put = (type: string, body: Uint8Array<ArrayBuffer>) =>
      worker.fetch(`http://plaza.test/v1/orgs/${orgId}/items/${item.id}/icon`, {
        method: "PUT",
        headers: { authorization: `Bearer ${author.accessToken}`, "content-type": type, "content-length": String(body.length) },
        body,
      });
    const res = await put("image/png", png);
    expect(res.status).toBe(200);
    const { iconUrl } = (await res.json()) as { iconUrl: string };
    const served = await eventually(async () => {
      const answer = await worker.fetch(`http://plaza.test${iconUrl}`);
      return answer.status === 200 ? answer : undefined;
    }, "the icon processed");
    expect(served.headers.get("content-type")).toBe("image/webp");
    expect(served.headers.get("cache-control")).toContain("immutable");
    expect(new Uint8Array(await served.arrayBuffer())).not.toEqual(png);
    expect((await worker.fetch(`http://plaza.test${iconUrl}`, { headers: { "if-none-match": served.headers.get("etag")! } })).status).toBe(
      304,
    );
    expect((await put("image/svg+xml", png)).status).toBe(415);
  });
});

async function countUploads() {
  return (await env.DB.prepare("SELECT count(*) AS n FROM uploads").first<number>("n")) ?? 0;
}
