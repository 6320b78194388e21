/** The tus protocol's answers and the R2 bookkeeping behind them, in workerd (real D1 and R2). */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ITEM_IMAGE_MAX_BYTES } from "../../../shared/catalog";
import { encodeUploadMetadata, TUS_ENDPOINT } from "../../../shared/uploads";
import { createItemViaApi, MANIFEST, sha256Hex } from "../../test/catalog-api";
import { eventually } from "../../test/eventually";
import { type OrgFixture, orgFixture, type TestUser } from "../../test/fixtures";
import { call } from "../../test/http";
import { jobContext } from "../../test/jobs";
import { fixtureBytes, SMALL_PNG } from "../../test/media-fixtures";
import { project } from "../../test/project-fixtures";
import worker from "../index";
import { freeExpiredUploads, verifyStalledUploads } from "./jobs";
import { VERIFY_PICKUP_MS } from "./service";
import { PART_SIZE } from "./storage";

const api = (exports as unknown as { default: Fetcher }).default;

async function tus(
  method: string,
  path: string,
  user: TestUser | undefined,
  headers: Record<string, string> = {},
  body?: Uint8Array<ArrayBuffer>,
) {
  const res = await api.fetch(`http://plaza.test${path}`, {
    method,
    headers: {
      "tus-resumable": "1.0.0",
      ...(user ? { authorization: `Bearer ${user.accessToken}` } : {}),
      ...(body ? { "content-type": "application/offset+octet-stream", "content-length": String(body.length) } : {}),
      ...headers,
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

/** Bytes that differ everywhere, so a misplaced part would change the digest. */
function randomBytes(size: number) {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65_536)));
  return bytes;
}

const base64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)));

let fx: OrgFixture;
let projectId: string;
beforeAll(async () => {
  fx = await orgFixture();
  projectId = (await project(fx)).id;
});

async function createAsset(user: TestUser, length: number, extra: Record<string, string> = {}) {
  const res = await tus("POST", TUS_ENDPOINT, user, {
    "upload-length": String(length),
    "upload-metadata": encodeUploadMetadata({ kind: "asset", project: projectId, filename: `file-${crypto.randomUUID()}.bin`, ...extra }),
  });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return new URL(res.headers.get("location")!).pathname;
}

const offsetOf = async (path: string, user: TestUser) => Number((await tus("HEAD", path, user)).headers.get("upload-offset"));
const row = (path: string) =>
  env.DB.prepare("SELECT * FROM tus_uploads WHERE id = ?").bind(path.split("/").pop()).first<Record<string, unknown>>();
const keyOf = async (path: string) => (await row(path))!.r2_key as string;
const mediaOf = (key: string) =>
  env.DB.prepare("SELECT purpose, content_type, state, failure FROM media WHERE key = ?").bind(key).first<Record<string, unknown>>();

/** GET on the upload once its verification (the plaza-uploads queue) is over: its status, or the 422 of a failed one. */
const verified = (path: string, user: TestUser) =>
  eventually(async () => {
    const res = await tus("GET", path, user);
    return res.status === 200 && res.json.state === "verifying" ? undefined : res;
  }, `the upload ${path} verified`);

describe("protocol", () => {
  it("OPTIONS advertises exactly the version, extensions, checksum algorithm and max size, with CORS for browsers", async () => {
    const res = await api.fetch(`http://plaza.test${TUS_ENDPOINT}`, {
      method: "OPTIONS",
      headers: { origin: "https://elsewhere.example", "access-control-request-method": "POST" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("tus-version")).toBe("1.0.0");
    expect(res.headers.get("tus-extension")).toBe("creation,creation-with-upload,termination,expiration,checksum");
    expect(res.headers.get("tus-checksum-algorithm")).toBe("sha256");
    expect(res.headers.get("tus-max-size")).toBe(String(2 * 1024 ** 3));
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")).toMatch(/Upload-Offset/);
    expect(res.headers.get("access-control-allow-methods")).toMatch(/PATCH/);
  });

  it("answers 412 to another tus version, 415 to another content type, 409 to a wrong offset, 404 to another user", async () => {
    const path = await createAsset(fx.member, 10);
    expect((await tus("PATCH", path, fx.member, { "tus-resumable": "0.2.2", "upload-offset": "0" }, new Uint8Array(3))).status).toBe(412);
    const wrongType = await tus(
      "PATCH",
      path,
      fx.member,
      { "upload-offset": "0", "content-type": "application/octet-stream" },
      new Uint8Array(3),
    );
    expect(wrongType.status).toBe(415);
    expect(wrongType.json.error.code).toBe("unsupported_media_type");
    const wrongOffset = await tus("PATCH", path, fx.member, { "upload-offset": "4" }, new Uint8Array(3));
    expect(wrongOffset.status).toBe(409);
    expect(wrongOffset.json.error.code).toBe("conflict");
    // The URL is bound to its creator: even an owner of the same org gets 404.
    for (const user of [fx.owner, fx.outsider]) {
      expect((await tus("HEAD", path, user)).status).toBe(404);
      expect((await tus("PATCH", path, user, { "upload-offset": "0" }, new Uint8Array(3))).status).toBe(404);
      expect((await tus("DELETE", path, user)).status).toBe(404);
    }
    expect((await tus("HEAD", path, undefined)).status).toBe(401);
    expect(await offsetOf(path, fx.member)).toBe(0);
  });

  it("creating needs the single PUT's role: another org's user is 404, an item's plain member 403; unknown metadata is 400", async () => {
    const outsider = await tus("POST", TUS_ENDPOINT, fx.outsider, {
      "upload-length": "10",
      "upload-metadata": encodeUploadMetadata({ kind: "asset", project: projectId, filename: "x.bin" }),
    });
    expect(outsider.status).toBe(404);
    const item = await createItemViaApi(fx.owner, fx.orgId, { slug: `tus-role-${Date.now()}`, name: "Role" });
    const member = await tus("POST", TUS_ENDPOINT, fx.member, {
      "upload-length": "10",
      "upload-metadata": encodeUploadMetadata({
        kind: "bundle",
        item: item.slug,
        version: "1.0.0",
        manifest: JSON.stringify(MANIFEST(item.slug, "1.0.0")),
        sha256: "0".repeat(64),
      }),
    });
    expect(member.status).toBe(403);
    const bad = await tus("POST", TUS_ENDPOINT, fx.member, {
      "upload-length": "10",
      "upload-metadata": encodeUploadMetadata({ kind: "video" }),
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toHaveProperty("header.upload-metadata.kind");
  });

  it("HEAD reports offset, length and metadata, never cached; a PATCH with a wrong checksum is 460 and stores nothing", async () => {
    const bytes = randomBytes(PART_SIZE + 1000);
    const path = await createAsset(fx.member, bytes.length);
    const head = await tus("HEAD", path, fx.member);
    expect(head.status).toBe(200);
    expect(head.headers.get("cache-control")).toBe("no-store");
    expect(head.headers.get("upload-length")).toBe(String(bytes.length));
    expect(head.headers.get("upload-metadata")).toMatch(/^kind /);
    expect(head.headers.get("tus-resumable")).toBe("1.0.0");
    expect(Date.parse(head.headers.get("upload-expires")!)).toBeGreaterThan(Date.now());

    const first = bytes.subarray(0, 5000);
    const wrong = await tus(
      "PATCH",
      path,
      fx.member,
      { "upload-offset": "0", "upload-checksum": `sha256 ${base64(await crypto.subtle.digest("SHA-256", bytes.subarray(1, 5001)))}` },
      first,
    );
    expect(wrong.status).toBe(460);
    expect(wrong.json.error.code).toBe("checksum_mismatch");
    expect(await offsetOf(path, fx.member)).toBe(0);
    expect((await env.BUCKET.list({ prefix: `uploads/tus/${path.split("/").pop()}/` })).objects).toEqual([]);

    // The right checksum, across a part boundary: every byte lands where it belongs.
    const right = await tus(
      "PATCH",
      path,
      fx.member,
      { "upload-offset": "0", "upload-checksum": `sha256 ${base64(await crypto.subtle.digest("SHA-256", first))}` },
      first,
    );
    expect(right.status).toBe(204);
    expect(right.headers.get("upload-offset")).toBe("5000");
    const rest = await tus("PATCH", path, fx.member, { "upload-offset": "5000" }, bytes.subarray(5000));
    expect(rest.status).toBe(204);
    expect(rest.headers.get("upload-offset")).toBe(String(bytes.length));
    const status = await verified(path, fx.member);
    expect(status.json).toMatchObject({
      state: "complete",
      offset: bytes.length,
      result: { asset: { sha256: await sha256Hex(bytes), size: bytes.length } },
    });
    const asset = await call(
      "GET",
      `/v1/orgs/${fx.orgId}/projects/${projectId}/assets/${encodeURIComponent(status.json.result.asset.name)}`,
      { token: fx.member.accessToken },
    );
    expect(asset.status).toBe(200);
  });
});

describe("bundles", () => {
  const bundleMetadata = (slug: string, version: string, sha256: string) =>
    encodeUploadMetadata({
      kind: "bundle",
      item: slug,
      version,
      manifest: JSON.stringify(MANIFEST(slug, version)),
      sha256,
      filename: "b.tar.gz",
    });

  it("a bundle whose bytes match its declared SHA-256 becomes a version under its content-addressed key", async () => {
    const item = await createItemViaApi(fx.admin, fx.orgId, { slug: `tus-ok-${Date.now()}`, name: "Tus ok" });
    const bytes = randomBytes(3000);
    const sha = await sha256Hex(bytes);
    const created = await tus(
      "POST",
      TUS_ENDPOINT,
      fx.admin,
      { "upload-length": String(bytes.length), "upload-metadata": bundleMetadata(item.slug, "1.0.0", sha) },
      bytes,
    );
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.headers.get("upload-offset")).toBe(String(bytes.length));
    expect((await verified(new URL(created.headers.get("location")!).pathname, fx.admin)).json).toMatchObject({
      state: "complete",
      result: { version: "1.0.0" },
    });
    const versions = await call("GET", `/v1/orgs/${fx.orgId}/items/${item.id}/versions`, { token: fx.admin.accessToken });
    expect(versions.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ version: "1.0.0", sha256: sha })]));
    const stored = await env.BUCKET.get(`bundles/sha256/${sha}`);
    expect(await sha256Hex(new Uint8Array(await stored!.arrayBuffer()))).toBe(sha);
    // The staging copy is gone.
    expect(
      (await env.BUCKET.list({ prefix: `uploads/tus/${new URL(created.headers.get("location")!).pathname.split("/").pop()}/` })).objects,
    ).toEqual([]);
  });

  it("a bundle whose bytes differ from the declared SHA-256 is deleted and the upload's status reports 422", async () => {
    const item = await createItemViaApi(fx.admin, fx.orgId, { slug: `tus-bad-${Date.now()}`, name: "Tus bad" });
    const bytes = randomBytes(2000);
    const declared = await sha256Hex(randomBytes(10));
    const created = await tus("POST", TUS_ENDPOINT, fx.admin, {
      "upload-length": String(bytes.length),
      "upload-metadata": bundleMetadata(item.slug, "1.0.0", declared),
    });
    const path = new URL(created.headers.get("location")!).pathname;
    // The last PATCH answers once the bytes are stored; the digest is checked off the request.
    const patched = await tus("PATCH", path, fx.admin, { "upload-offset": "0" }, bytes);
    expect(patched.status).toBe(204);
    expect(patched.headers.get("upload-offset")).toBe(String(bytes.length));
    const status = await verified(path, fx.admin);
    expect([status.status, status.json.error.code]).toEqual([422, "unprocessable"]);
    expect(status.json.error.message).toMatch(/SHA-256/);
    expect((await tus("HEAD", path, fx.admin)).status).toBe(422);
    expect((await env.BUCKET.list({ prefix: `uploads/tus/${path.split("/").pop()}/` })).objects).toEqual([]);
    expect(await env.BUCKET.head(`bundles/sha256/${declared}`)).toBeNull();
  });

  it("refuses an upload past the org's storage quota with 413 quota_exceeded", async () => {
    // Uploads in progress count: one of 20 GiB (the default quota) leaves no room.
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO tus_uploads (id, org_id, created_by, kind, target, metadata, length, offset, r2_key, multipart_id, parts, pending_size, state, created_at, expires_at)
       VALUES ('tus_quota', ?, ?, 'asset', '{}', '', ?, 0, 'k', 'm', '[]', 0, 'receiving', ?, ?)`,
    )
      .bind(fx.orgId, fx.owner.id, 20 * 1024 ** 3, now, now + 60_000)
      .run();
    try {
      const res = await tus("POST", TUS_ENDPOINT, fx.member, {
        "upload-length": "10",
        "upload-metadata": encodeUploadMetadata({ kind: "asset", project: projectId, filename: "big.bin" }),
      });
      expect(res.status).toBe(413);
      expect(res.json.error.code).toBe("quota_exceeded");
    } finally {
      await env.DB.prepare("DELETE FROM tus_uploads WHERE id = 'tus_quota'").run();
    }
  });
});

describe("storage", () => {
  it("two concurrent PATCHes at one offset: one is stored, the other refused with 409", async () => {
    const bytes = randomBytes(PART_SIZE + 10);
    const path = await createAsset(fx.member, bytes.length);
    const answers = await Promise.all(
      [0, 1].map(() => tus("PATCH", path, fx.member, { "upload-offset": "0" }, bytes.subarray(0, PART_SIZE + 5))),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([204, 409]);
    expect(await offsetOf(path, fx.member)).toBe(PART_SIZE + 5);
    expect((await tus("PATCH", path, fx.member, { "upload-offset": String(PART_SIZE + 5) }, bytes.subarray(PART_SIZE + 5))).status).toBe(
      204,
    );
    expect((await verified(path, fx.member)).json.result.asset.sha256).toBe(await sha256Hex(bytes));
  });

  it("termination aborts the multipart upload (its parts are freed) and deletes the pending bytes", async () => {
    const path = await createAsset(fx.member, PART_SIZE * 2);
    expect((await tus("PATCH", path, fx.member, { "upload-offset": "0" }, randomBytes(PART_SIZE + 100))).status).toBe(204);
    const before = (await row(path))!;
    expect(before.pending_size).toBe(100);
    expect(await env.BUCKET.head(before.pending_key as string)).not.toBeNull();
    expect((await tus("DELETE", path, fx.member)).status).toBe(204);
    expect((await tus("HEAD", path, fx.member)).status).toBe(404);
    expect(await row(path)).toBeNull();
    expect(await env.BUCKET.head(before.pending_key as string)).toBeNull();
    const multipart = env.BUCKET.resumeMultipartUpload(before.r2_key as string, before.multipart_id as string);
    await expect(multipart.complete([{ partNumber: 1, etag: JSON.parse(before.parts as string)[0].etag }])).rejects.toThrow();
  });

  it("the maintenance job frees an expired upload: 410 before, gone after, its parts, pending bytes and media row deleted", async () => {
    const path = await createAsset(fx.member, PART_SIZE * 2);
    expect((await tus("PATCH", path, fx.member, { "upload-offset": "0" }, randomBytes(PART_SIZE + 7))).status).toBe(204);
    const before = (await row(path))!;
    expect(await mediaOf(before.r2_key as string)).toMatchObject({ state: "pending" });
    await env.DB.prepare("UPDATE tus_uploads SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, before.id)
      .run();
    expect((await tus("HEAD", path, fx.member)).status).toBe(410);
    expect((await tus("PATCH", path, fx.member, { "upload-offset": String(PART_SIZE + 7) }, new Uint8Array(1))).status).toBe(410);
    expect(await freeExpiredUploads(jobContext(env, Date.now()))).toBeGreaterThanOrEqual(1);
    expect((await tus("HEAD", path, fx.member)).status).toBe(404);
    expect(await env.BUCKET.head(before.pending_key as string)).toBeNull();
    expect(await mediaOf(before.r2_key as string)).toBeNull();
    const multipart = env.BUCKET.resumeMultipartUpload(before.r2_key as string, before.multipart_id as string);
    await expect(multipart.complete([{ partNumber: 1, etag: JSON.parse(before.parts as string)[0].etag }])).rejects.toThrow();
  });
});

describe("media rows", () => {
  it("creating an asset upload registers its media row pending; the last byte makes it ready (not an image) and the asset downloadable", async () => {
    const bytes = randomBytes(300);
    const path = await createAsset(fx.member, bytes.length, { filetype: "text/csv" });
    const key = await keyOf(path);
    expect(await mediaOf(key)).toEqual({ purpose: "project-asset", content_type: "text/csv", state: "pending", failure: null });
    expect((await tus("PATCH", path, fx.member, { "upload-offset": "0" }, bytes)).status).toBe(204);
    const { asset } = (await verified(path, fx.member)).json.result;
    expect(await mediaOf(key)).toMatchObject({ state: "ready" });
    expect(asset).toMatchObject({ state: "ready", failure: null, contentType: "text/csv" });
    const download = await call("GET", `/v1/orgs/${fx.orgId}/projects/${projectId}/assets/${encodeURIComponent(asset.name)}`, {
      token: fx.member.accessToken,
    });
    expect(download.status).toBe(200);
  });

  it("a file whose digest differs from the declared one marks its media failed with the reason, and its bytes are deleted", async () => {
    const bytes = randomBytes(500);
    const path = await createAsset(fx.member, bytes.length, { sha256: await sha256Hex(randomBytes(5)) });
    const key = await keyOf(path);
    expect((await tus("PATCH", path, fx.member, { "upload-offset": "0" }, bytes)).status).toBe(204);
    expect((await verified(path, fx.member)).status).toBe(422);
    expect(await mediaOf(key)).toMatchObject({
      state: "failed",
      failure: expect.stringMatching(/SHA-256 is [a-f0-9]{64}, not the declared/),
    });
    expect(await env.BUCKET.head(key)).toBeNull();
  });

  it("termination discards the upload's media row", async () => {
    const path = await createAsset(fx.member, 1000);
    const key = await keyOf(path);
    expect((await tus("PATCH", path, fx.member, { "upload-offset": "0" }, randomBytes(10))).status).toBe(204);
    expect(await mediaOf(key)).toMatchObject({ state: "pending" });
    expect((await tus("DELETE", path, fx.member)).status).toBe(204);
    expect(await mediaOf(key)).toBeNull();
  });
});

describe("item images", () => {
  const imageMetadata = (item: string, role: string, filetype = "image/png") =>
    encodeUploadMetadata({ kind: "item-image", item, role, filename: "image.png", filetype });
  const create = (user: TestUser, length: number, metadata: string) =>
    tus("POST", TUS_ENDPOINT, user, { "upload-length": String(length), "upload-metadata": metadata });

  it("an icon upload (item by slug) registers a pending media row, then becomes the item's icon and is processed to ready", async () => {
    const item = await createItemViaApi(fx.admin, fx.orgId, { slug: `tus-icon-${Date.now()}`, name: "Icon" });
    const bytes = fixtureBytes(SMALL_PNG);
    const created = await create(fx.admin, bytes.length, imageMetadata(item.slug, "icon"));
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const path = new URL(created.headers.get("location")!).pathname;
    const key = await keyOf(path);
    expect(key).toMatch(new RegExp(`^items/${item.id}/[A-Za-z0-9]{16}\\.png$`));
    expect(await mediaOf(key)).toEqual({ purpose: "item-icon", content_type: "image/png", state: "pending", failure: null });

    expect((await tus("PATCH", path, fx.admin, { "upload-offset": "0" }, bytes)).status).toBe(204);
    expect((await verified(path, fx.admin)).json.result).toEqual({ itemId: item.id, role: "icon", url: `/media/${key}` });
    const shown = await eventually(async () => {
      const res = await call("GET", `/v1/orgs/${fx.orgId}/items/${item.id}`, { token: fx.admin.accessToken });
      return res.body.icon?.state === "ready" ? res.body : undefined;
    }, "the icon processed");
    expect(shown.iconUrl).toBe(`/media/${key}`);
  });

  it("a screenshot (item by id) is appended to the item's screenshots", async () => {
    const item = await createItemViaApi(fx.admin, fx.orgId, { slug: `tus-shot-${Date.now()}`, name: "Shot" });
    const bytes = fixtureBytes(SMALL_PNG);
    const created = await create(fx.admin, bytes.length, imageMetadata(item.id, "screenshot"));
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const path = new URL(created.headers.get("location")!).pathname;
    expect(await mediaOf(await keyOf(path))).toMatchObject({ purpose: "item-screenshot", state: "pending" });
    expect((await tus("PATCH", path, fx.admin, { "upload-offset": "0" }, bytes)).status).toBe(204);
    expect((await verified(path, fx.admin)).json.state).toBe("complete");
    const res = await call("GET", `/v1/orgs/${fx.orgId}/items/${item.id}`, { token: fx.admin.accessToken });
    expect(res.body.screenshotUrls).toEqual([`/media/${await keyOf(path)}`]);
  });

  it("creation refuses a type that is not an image (415), an image over the limit (413), a role it does not know (400) and a plain member (403)", async () => {
    const item = await createItemViaApi(fx.admin, fx.orgId, { slug: `tus-refused-${Date.now()}`, name: "Refused" });
    const pdf = await create(fx.admin, 100, imageMetadata(item.slug, "icon", "application/pdf"));
    expect([pdf.status, pdf.json.error.code]).toEqual([415, "unsupported_media_type"]);
    const svg = await create(fx.admin, 100, imageMetadata(item.slug, "icon", "image/svg+xml"));
    expect(svg.status).toBe(415);
    const big = await create(fx.admin, ITEM_IMAGE_MAX_BYTES + 1, imageMetadata(item.slug, "icon"));
    expect([big.status, big.json.error.code]).toEqual([413, "payload_too_large"]);
    const role = await create(fx.admin, 100, imageMetadata(item.slug, "banner"));
    expect(role.status).toBe(400);
    expect(role.json.error.fields).toHaveProperty("header.upload-metadata.role");
    expect((await create(fx.member, 100, imageMetadata(item.slug, "icon"))).status).toBe(403);
    expect((await create(fx.outsider, 100, imageMetadata(item.slug, "icon"))).status).toBe(404);
  });
});

describe("races", () => {
  it("two uploads created at once cannot both take the org's last free bytes: one 201, one 413", async () => {
    const org = await orgFixture();
    const orgProject = (await project(org)).id;
    const now = Date.now();
    // The default quota (20 GiB) with 15 bytes left, taken by an upload in progress.
    await env.DB.prepare(
      `INSERT INTO tus_uploads (id, org_id, created_by, kind, target, metadata, length, offset, r2_key, multipart_id, parts, pending_size, state, created_at, expires_at)
       VALUES ('tus_quota_race', ?, ?, 'asset', '{}', '', ?, 0, 'k', 'm', '[]', 0, 'receiving', ?, ?)`,
    )
      .bind(org.orgId, org.owner.id, 20 * 1024 ** 3 - 15, now, now + 60_000)
      .run();
    const answers = await Promise.all(
      ["a", "b"].map((name) =>
        tus("POST", TUS_ENDPOINT, org.owner, {
          "upload-length": "10",
          "upload-metadata": encodeUploadMetadata({ kind: "asset", project: orgProject, filename: `${name}.bin` }),
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 413]);
    expect(answers.find((a) => a.status === 413)!.json.error.code).toBe("quota_exceeded");
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM tus_uploads WHERE org_id = ?").bind(org.orgId).first<number>("n");
    expect(rows).toBe(2);
  });

  it("a DELETE while a PATCH is still receiving leaves none of the PATCH's bytes behind", async () => {
    const path = await createAsset(fx.member, 1000);
    const id = path.split("/").pop();
    const { readable: body, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const sending = writable.getWriter();
    void sending.write(randomBytes(10));
    const patching = api.fetch(`http://plaza.test${path}`, {
      method: "PATCH",
      headers: {
        "tus-resumable": "1.0.0",
        authorization: `Bearer ${fx.member.accessToken}`,
        "content-type": "application/offset+octet-stream",
        "upload-offset": "0",
      },
      body,
    });
    await eventually(async () => ((await row(path))?.lock_token ? true : undefined), "the PATCH's claim");
    expect((await tus("DELETE", path, fx.member)).status).toBe(204);
    // The PATCH's body ends after the termination freed the upload: it stores its bytes, then finds the row gone.
    await sending.close();
    expect((await patching).status).toBe(409);
    expect((await env.BUCKET.list({ prefix: `uploads/tus/${id}/` })).objects).toEqual([]);
  });
});

describe("verification off the last PATCH", () => {
  /**
   * An asset upload whose file is stored and which is `verifying`, but whose message was never
   * sent (lost): the bytes are put where R2 assembles them and the row moved on as the last PATCH does.
   */
  async function verifyingWithoutMessage(bytes: Uint8Array<ArrayBuffer>, user = fx.member, into = projectId) {
    const path = await createAsset(user, bytes.length, { project: into, sha256: await sha256Hex(bytes) });
    const key = await keyOf(path);
    await env.BUCKET.put(key, bytes);
    await env.DB.prepare("UPDATE tus_uploads SET state = 'verifying', offset = length, lock_token = NULL, locked_until = ? WHERE id = ?")
      .bind(Date.now() + VERIFY_PICKUP_MS, path.split("/").pop())
      .run();
    return { path, key, id: path.split("/").pop()! };
  }
  const deliver = async (queue: string, uploadId: string, messageId: string) => {
    const batch = createMessageBatch(queue, [{ id: messageId, timestamp: new Date(), attempts: 1, body: { uploadId } }]);
    await worker.queue(batch, env);
    return getQueueResult(batch, createExecutionContext());
  };

  it("while verifying: GET says so, HEAD and an empty PATCH answer the full offset, DELETE is 409, expiry leaves it; the job queues a lost message again", async () => {
    const bytes = randomBytes(700);
    const { path, key } = await verifyingWithoutMessage(bytes);
    const status = await tus("GET", path, fx.member);
    expect([status.status, status.json.state, status.json.offset]).toEqual([200, "verifying", bytes.length]);
    const head = await tus("HEAD", path, fx.member);
    expect([head.status, head.headers.get("upload-offset"), head.headers.get("upload-expires")]).toEqual([200, String(bytes.length), null]);
    const again = await tus("PATCH", path, fx.member, { "upload-offset": String(bytes.length) }, new Uint8Array(0));
    expect([again.status, again.headers.get("upload-offset")]).toEqual([204, String(bytes.length)]);
    const terminated = await tus("DELETE", path, fx.member);
    expect([terminated.status, terminated.json.error.code]).toEqual([409, "conflict"]);

    // Expired meanwhile: the job never frees a file being verified.
    await env.DB.prepare("UPDATE tus_uploads SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, path.split("/").pop())
      .run();
    await freeExpiredUploads(jobContext(env, Date.now()));
    expect(await row(path)).toMatchObject({ state: "verifying" });
    expect(await env.BUCKET.head(key)).not.toBeNull();
    expect(await mediaOf(key)).toMatchObject({ state: "pending" });

    // Not queued again before its pickup time has passed; then it is, and it completes.
    expect(await verifyStalledUploads(jobContext(env, Date.now()))).toBe(0);
    expect(await verifyStalledUploads(jobContext(env, Date.now() + VERIFY_PICKUP_MS + 1000))).toBeGreaterThanOrEqual(1);
    const done = await verified(path, fx.member);
    expect(done.json).toMatchObject({ state: "complete", result: { asset: { sha256: await sha256Hex(bytes), state: "ready" } } });
    expect(await mediaOf(key)).toMatchObject({ state: "ready" });
  });

  it("a message delivered twice at once verifies and adopts the file once; one delivered after the outcome changes nothing", async () => {
    const bytes = randomBytes(900);
    const { path, id } = await verifyingWithoutMessage(bytes);
    const results = await Promise.all([deliver("plaza-uploads", id, "m1"), deliver("plaza-uploads", id, "m2")]);
    expect(results.flatMap((r) => r.explicitAcks).sort()).toEqual(["m1", "m2"]);
    const done = (await row(path))!;
    expect(done.state).toBe("complete");
    const name = JSON.parse(done.result as string).asset.name;
    const assets = await env.DB.prepare("SELECT count(*) AS n FROM project_assets WHERE project_id = ? AND name = ?")
      .bind(projectId, name)
      .first<number>("n");
    expect(assets).toBe(1);
    expect((await deliver("plaza-uploads", id, "m3")).explicitAcks).toEqual(["m3"]);
    expect(await row(path)).toMatchObject({ state: "complete", completed_at: done.completed_at, result: done.result });
  });

  it("the file is adopted as its uploader is when it is verified: one removed from the org meanwhile gets 422, and no asset", async () => {
    const org = await orgFixture();
    const orgProject = (await project(org)).id;
    const { path, key, id } = await verifyingWithoutMessage(randomBytes(100), org.member, orgProject);
    const removed = await call("DELETE", `/v1/orgs/${org.orgId}/members/${org.member.id}`, { token: org.owner.accessToken });
    expect(removed.status).toBe(204);
    expect((await deliver("plaza-uploads", id, "r1")).explicitAcks).toEqual(["r1"]);
    expect(await row(path)).toMatchObject({ state: "failed", failure: expect.stringMatching(/not found/i) });
    const assets = await env.DB.prepare("SELECT count(*) AS n FROM project_assets WHERE project_id = ?")
      .bind(orgProject)
      .first<number>("n");
    expect(assets).toBe(0);
    expect(await env.BUCKET.head(key)).toBeNull();
  });

  it("a dead-lettered message ends the upload failed (422 on its status) and its media row with it", async () => {
    const { path, key, id } = await verifyingWithoutMessage(randomBytes(100));
    expect((await deliver("plaza-uploads-dlq", id, "d1")).explicitAcks).toEqual(["d1"]);
    const status = await tus("GET", path, fx.member);
    expect([status.status, status.json.error.code, status.json.error.message]).toEqual([
      422,
      "unprocessable",
      "The file could not be verified; start a new upload",
    ]);
    expect(await mediaOf(key)).toMatchObject({ state: "failed", failure: "The file could not be verified; start a new upload" });
  });
});
