import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { insertItem } from "../../test/catalog-fixtures";
import { eventually } from "../../test/eventually";
import { type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode, type UntypedBody } from "../../test/http";
import { JOBS, jobContext } from "../../test/jobs";
import { fixtureBytes, PDF_AS_PNG, PHOTO_JPEG, PNG_BOMB, ROTATED_JPEG, SMALL_PNG, WIDE_PNG } from "../../test/media-fixtures";
import { createDb } from "../db/client";
import worker from "../index";
import { runtime } from "../modules";

const fetcher = (exports as unknown as { default: Fetcher }).default;

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

interface MediaRowRaw {
  id: string;
  state: string;
  failure: string | null;
  width: number | null;
  height: number | null;
  variants: string;
  attempts: number;
  size: number;
}
const mediaRow = (key: string) => env.DB.prepare("SELECT * FROM media WHERE key = ?").bind(key).first<MediaRowRaw>();

/** PUTs (icon) or POSTs (screenshot) image bytes the way the studio's single-request path does. */
async function sendImage(itemId: string, role: "icon" | "screenshot", bytes: Uint8Array<ArrayBuffer> | string, type: string) {
  const body = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  const path = `/v1/orgs/${fx.orgId}/items/${itemId}/${role === "icon" ? "icon" : "screenshots"}`;
  const res = await fetcher.fetch(`http://plaza.test${path}`, {
    method: role === "icon" ? "PUT" : "POST",
    headers: { authorization: `Bearer ${fx.admin.accessToken}`, "content-type": type, "content-length": String(body.byteLength) },
    body,
  });
  return { status: res.status, body: (await res.json()) as UntypedBody };
}

const itemOf = async (itemId: string) => (await call("GET", `/v1/orgs/${fx.orgId}/items/${itemId}`, { token: fx.admin.accessToken })).body;
const keyOf = (url: string) => url.replace(/^\/media\//, "");

/** Waits until the image's row leaves processing; answers it. */
const settled = (key: string) =>
  eventually(async () => {
    const row = await mediaRow(key);
    return row && (row.state === "ready" || row.state === "failed") ? row : undefined;
  }, `media ${key} processed`);

const stored = async (prefix: string) => (await env.BUCKET.list({ prefix })).objects.map((o) => o.key);

describe("item images", () => {
  it("an icon is uploaded, processed into upright WebP variants (no upscaling) with a placeholder, and served only as WebP", async () => {
    const item = await insertItem(fx.orgId);
    const original = fixtureBytes(ROTATED_JPEG);
    const put = await sendImage(item.id, "icon", original, "image/jpeg");
    expect(put.status).toBe(200);
    expect(["uploaded", "processing", "ready"]).toContain(put.body.icon.state);
    const key = keyOf(put.body.iconUrl);
    expect(key).toMatch(new RegExp(`^items/${item.id}/\\w{16}\\.jpg$`));

    const row = await settled(key);
    expect(row).toMatchObject({ state: "ready", width: 48, height: 64, failure: null, attempts: 1 });
    const { icon } = await itemOf(item.id);
    // 64×48 as stored, turned by EXIF orientation 6: 48×64, narrower than 128, so one variant at its own width.
    expect(icon).toMatchObject({ url: `/media/${key}`, state: "ready", width: 48, height: 64 });
    expect(icon.variants).toEqual([{ width: 48, height: 64, url: `/media/${key}?w=48` }]);
    expect(icon.placeholder).toMatch(/^data:image\/webp;base64,[A-Za-z0-9+/]+=*$/);

    const served = await fetcher.fetch(`http://plaza.test/media/${key}`);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/webp");
    expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const bytes = new Uint8Array(await served.arrayBuffer());
    expect(await env.IMAGES.info(new Blob([bytes]).stream())).toMatchObject({ format: "image/webp", width: 48, height: 64 });
    // Never the original (with its EXIF): its bytes differ in length and kind.
    expect(bytes.byteLength).not.toBe(original.byteLength);
    const etag = served.headers.get("etag")!;
    expect((await fetcher.fetch(`http://plaza.test/media/${key}`, { headers: { "if-none-match": etag } })).status).toBe(304);
  });

  it("a wide screenshot gets 128, 512 and 1280 px variants (never 1400) and ?w= picks the smallest at least that wide", async () => {
    const item = await insertItem(fx.orgId);
    const added = await sendImage(item.id, "screenshot", fixtureBytes(WIDE_PNG), "image/png");
    expect(added.status).toBe(201);
    const key = keyOf(added.body.screenshotUrls[0]);
    expect((await settled(key)).state).toBe("ready");
    const [shot] = (await itemOf(item.id)).screenshots;
    expect(shot).toMatchObject({ state: "ready", width: 1400, height: 700 });
    expect(shot.variants.map((v: { width: number; height: number }) => [v.width, v.height])).toEqual([
      [128, 64],
      [512, 256],
      [1280, 640],
    ]);
    const servedWidth = async (query: string) => {
      const res = await fetcher.fetch(`http://plaza.test/media/${key}${query}`);
      expect(res.headers.get("content-type")).toBe("image/webp");
      return ((await env.IMAGES.info(res.body!)) as { width: number }).width;
    };
    expect(await servedWidth("?w=128")).toBe(128);
    expect(await servedWidth("?w=200")).toBe(512);
    expect(await servedWidth("?w=5000")).toBe(1280);
    expect(await servedWidth("")).toBe(1280);
    const bad = await call("GET", `/media/${key}?w=wide`);
    expect([bad.status, errorCode(bad)]).toEqual([400, "invalid_request"]);
  });

  it("a 4000×3000 photo with EXIF rotation becomes upright 3000×4000: variants 128, 512 and 1280 px wide in portrait, and a placeholder", async () => {
    const item = await insertItem(fx.orgId);
    const added = await sendImage(item.id, "screenshot", fixtureBytes(PHOTO_JPEG), "image/jpeg");
    expect(added.status).toBe(201);
    const key = keyOf(added.body.screenshotUrls[0]);
    expect(await settled(key)).toMatchObject({ state: "ready", width: 3000, height: 4000 });
    const [shot] = (await itemOf(item.id)).screenshots;
    expect(shot.variants.map((v: { width: number; height: number }) => [v.width, v.height])).toEqual([
      [128, 171],
      [512, 683],
      [1280, 1707],
    ]);
    expect(shot.placeholder).toMatch(/^data:image\/webp;base64,/);
    const placeholder = fixtureBytes(shot.placeholder.split(",")[1]);
    expect(await env.IMAGES.info(new Blob([placeholder]).stream())).toMatchObject({ format: "image/webp", width: 16, height: 21 });
  });

  it("a corrupt image (a PDF sent as PNG) ends failed with the reason, and its URL answers 404 with it", async () => {
    const item = await insertItem(fx.orgId);
    const put = await sendImage(item.id, "icon", fixtureBytes(PDF_AS_PNG), "image/png");
    expect(put.status).toBe(200);
    const key = keyOf(put.body.iconUrl);
    expect(await settled(key)).toMatchObject({ state: "failed", failure: "not an image Plaza can read (JPEG, PNG, WebP, GIF or AVIF)" });
    expect((await itemOf(item.id)).icon).toMatchObject({ state: "failed", failure: expect.stringContaining("not an image"), variants: [] });
    const res = await call("GET", `/media/${key}`);
    expect([res.status, errorCode(res)]).toEqual([404, "not_found"]);
    expect(res.body.error.message).toContain("not an image Plaza can read");
  });

  it("a PNG bomb (40000×40000 in its header) fails with the dimension reason from the header, and nothing is made of it", async () => {
    const item = await insertItem(fx.orgId);
    const put = await sendImage(item.id, "screenshot", fixtureBytes(PNG_BOMB), "image/png");
    expect(put.status).toBe(201);
    const key = keyOf(put.body.screenshotUrls[0]);
    const row = await settled(key);
    // Sharp (the local Images binding) refuses to even read this header: the reason proves Plaza read it first.
    expect(row).toMatchObject({
      state: "failed",
      failure: "the image is 40000x40000 px; images may be at most 50 megapixels and 12000 px a side",
      attempts: 1,
    });
    expect(await stored(`media/${row.id}/`)).toEqual([]);
  });

  it("SVG is refused: as a declared type with 415, and as bytes under an image type once processed", async () => {
    const item = await insertItem(fx.orgId);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>';
    const declared = await sendImage(item.id, "icon", svg, "image/svg+xml");
    expect([declared.status, declared.body.error.code]).toEqual([415, "unsupported_media_type"]);
    const disguised = await sendImage(item.id, "icon", svg, "image/png");
    expect(disguised.status).toBe(200);
    expect(await settled(keyOf(disguised.body.iconUrl))).toMatchObject({ state: "failed", failure: "SVG images are not accepted" });
  });

  it("a URL answers 404 while its image is not ready, and a replaced icon is discarded with its variants", async () => {
    const item = await insertItem(fx.orgId);
    const first = await sendImage(item.id, "icon", fixtureBytes(SMALL_PNG), "image/png");
    const oldKey = keyOf(first.body.iconUrl);
    const old = await settled(oldKey);
    expect(old.state).toBe("ready");
    expect(await stored(`media/${old.id}/`)).toEqual([`media/${old.id}/w20.webp`]);

    await env.DB.prepare("UPDATE media SET state = 'processing' WHERE id = ?").bind(old.id).run();
    const processing = await call("GET", `/media/${oldKey}`);
    expect([processing.status, errorCode(processing), processing.body.error.message]).toEqual([
      404,
      "not_found",
      "This image is still processing",
    ]);
    await env.DB.prepare("UPDATE media SET state = 'ready' WHERE id = ?").bind(old.id).run();

    const second = await sendImage(item.id, "icon", fixtureBytes(ROTATED_JPEG), "image/jpeg");
    expect(second.status).toBe(200);
    const newKey = keyOf(second.body.iconUrl);
    expect(await mediaRow(oldKey)).toBeNull();
    expect(await stored(`media/${old.id}/`)).toEqual([]);
    expect(await stored(`items/${item.id}/`)).toEqual([newKey]);
    expect((await call("GET", `/media/${oldKey}`)).status).toBe(404);
    expect((await settled(newKey)).state).toBe("ready");
  });

  it("the API document shows items' icon and screenshots as MediaImage", async () => {
    const { schemas } = (await call("GET", "/openapi.json")).body.components;
    expect(JSON.stringify(schemas.Item.properties.icon)).toContain("#/components/schemas/MediaImage");
    expect(schemas.Item.properties.screenshots.items.$ref).toBe("#/components/schemas/MediaImage");
    expect(Object.keys(schemas.MediaImage.properties).sort()).toEqual([
      "failure",
      "height",
      "placeholder",
      "state",
      "url",
      "variants",
      "width",
    ]);
  });
});

describe("processing's safety nets", () => {
  /** A row whose original is stored but whose message was never sent (as after a lost message or the backfill). */
  async function waitingRow(state: "uploaded" | "processing", { updatedAt = Date.now(), attempts = 0 } = {}) {
    const id = `med_${crypto.randomUUID().replaceAll("-", "")}`;
    const key = `items/itm_test${id.slice(4, 20)}/${id}.png`;
    await env.BUCKET.put(key, fixtureBytes(SMALL_PNG));
    await env.DB.prepare(
      `INSERT INTO media (id, org_id, key, purpose, content_type, size, state, variants, attempts, created_at, updated_at)
       VALUES (?, ?, ?, 'item-icon', 'image/png', 1, ?, '[]', ?, ?, ?)`,
    )
      .bind(id, fx.orgId, key, state, attempts, updatedAt, updatedAt)
      .run();
    return { id, key };
  }

  it("the stalled-media job queues rows left waiting for 10 minutes again, and they are processed", async () => {
    const now = Date.now();
    const stale = await waitingRow("uploaded", { updatedAt: now - 11 * 60_000 });
    const recent = await waitingRow("processing", { updatedAt: now - 60_000 });
    expect(await JOBS["process-stalled-media"]!(jobContext(env, now))).toBeGreaterThanOrEqual(1);
    // Its size, unknown to the row (as for files the migration backfilled), comes from the stored object.
    expect(await settled(stale.key)).toMatchObject({ state: "ready", width: 20, height: 10, size: fixtureBytes(SMALL_PNG).byteLength });
    expect((await mediaRow(recent.key))?.state).toBe("processing");
  });

  it("a transient failure is retried, and the third failed attempt ends failed", async () => {
    // The Images binding reads headers but cannot transform: a failure a later attempt may not meet.
    const flaky = {
      ...env,
      IMAGES: {
        info: (stream: ReadableStream<Uint8Array>) => env.IMAGES.info(stream),
        input: () => {
          throw new Error("Images is unavailable");
        },
      },
    } as unknown as typeof env;
    const row = await waitingRow("uploaded");
    const attempt = async (id: string) => {
      const batch = createMessageBatch("plaza-media", [{ id, timestamp: new Date(), attempts: 1, body: { mediaId: row.id } }]);
      await worker.queue(batch, flaky);
      return getQueueResult(batch, createExecutionContext());
    };
    for (const [id, attempts] of [
      ["t1", 1],
      ["t2", 2],
    ] as const) {
      expect((await attempt(id)).retryMessages.map((m) => m.msgId)).toEqual([id]);
      expect(await mediaRow(row.key)).toMatchObject({ state: "processing", attempts });
    }
    expect((await attempt("t3")).explicitAcks).toEqual(["t3"]);
    expect(await mediaRow(row.key)).toMatchObject({ state: "failed", failure: "could not be processed", attempts: 3 });
  });

  it("a dead-lettered message marks its row failed", async () => {
    const row = await waitingRow("processing");
    await worker.queue(
      createMessageBatch("plaza-media-dlq", [{ id: "d1", timestamp: new Date(), attempts: 1, body: { mediaId: row.id } }]),
      env,
    );
    expect(await mediaRow(row.key)).toMatchObject({ state: "failed", failure: "could not be processed" });
  });

  it("a re-delivered message of a ready image is acked and changes nothing; a row past its attempts fails", async () => {
    const row = await waitingRow("uploaded");
    const deliver = async (ids: string[]) => {
      const batch = createMessageBatch(
        "plaza-media",
        ids.map((id) => ({ id, timestamp: new Date(), attempts: 1, body: { mediaId: row.id } })),
      );
      await worker.queue(batch, env);
      return getQueueResult(batch, createExecutionContext());
    };
    expect((await deliver(["a"])).explicitAcks).toEqual(["a"]);
    const ready = await mediaRow(row.key);
    expect(ready).toMatchObject({ state: "ready", attempts: 1 });
    const again = await deliver(["b", "c"]);
    expect([again.explicitAcks.sort(), again.retryMessages]).toEqual([["b", "c"], []]);
    expect(await mediaRow(row.key)).toEqual(ready);

    const exhausted = await waitingRow("processing", { attempts: 3 });
    const batch = createMessageBatch("plaza-media", [{ id: "e", timestamp: new Date(), attempts: 4, body: { mediaId: exhausted.id } }]);
    await worker.queue(batch, env);
    expect(await mediaRow(exhausted.key)).toMatchObject({ state: "failed", failure: "could not be processed", attempts: 4 });
  });
});

describe("objects for the orphan sweep", () => {
  it("media owns items/ and media/: an original with a row and that row's variants are in use, nothing else", async () => {
    const owners = runtime.objects.filter((o) => o.prefix === "items/" || o.prefix === "media/");
    expect(owners.map((o) => o.prefix).sort()).toEqual(["items/", "media/"]);
    const item = await insertItem(fx.orgId);
    const put = await sendImage(item.id, "icon", fixtureBytes(SMALL_PNG), "image/png");
    const key = keyOf(put.body.iconUrl);
    const row = await settled(key);
    const variant = `media/${row.id}/w20.webp`;
    const asked = [key, `items/${item.id}/forgotten.png`, variant, `media/${row.id}/w128.webp`, "media/med_gone/w20.webp"];
    for (const owner of owners) expect(await owner.inUse(createDb(env.DB), asked)).toEqual(new Set([key, variant]));
  });
});

describe("the migration's backfill", () => {
  it("gives existing item images `uploaded` rows and project assets rows by type (images uploaded, others ready), once", async () => {
    const item = await insertItem(fx.orgId);
    const icon = `items/${item.id}/backfillicon0001.png`;
    const shots = [`items/${item.id}/backfillshot0001.webp`, `items/${item.id}/backfillshot0002.jpg`];
    await env.DB.prepare("UPDATE items SET icon_key = ?, screenshot_keys = ? WHERE id = ?")
      .bind(icon, JSON.stringify(shots), item.id)
      .run();
    const projectId = `prj_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
    await env.DB.prepare(
      `INSERT INTO projects (id, org_id, name, member_role, channel, state, created_by, created_at, updated_at)
       VALUES (?, ?, 'Backfill', 'write', 'stable', '{}', ?, 1, 1)`,
    )
      .bind(projectId, fx.orgId, fx.owner.id)
      .run();
    const asset = (name: string, type: string) =>
      env.DB.prepare(
        `INSERT INTO project_assets (project_id, name, org_id, r2_key, content_type, size, sha256, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, 7, 'abc', ?, 5)`,
      )
        .bind(projectId, name, fx.orgId, `projects/${projectId}/assets/${name}`, type, fx.owner.id)
        .run();
    await asset("photo", "image/JPEG; q=1");
    await asset("notes", "text/plain");

    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0022_media"))!;
    const backfill = migration.queries.filter((q) => q.includes("INSERT OR IGNORE INTO `media`"));
    expect(backfill).toHaveLength(3);
    for (let run = 0; run < 2; run++) for (const query of backfill) await env.DB.prepare(query).run();

    const rows = await env.DB.prepare(
      "SELECT key, org_id, purpose, content_type, size, sha256, state FROM media WHERE key IN (?, ?, ?, ?, ?) ORDER BY key",
    )
      .bind(icon, ...shots, `projects/${projectId}/assets/photo`, `projects/${projectId}/assets/notes`)
      .all();
    expect(rows.results).toEqual([
      { key: icon, org_id: fx.orgId, purpose: "item-icon", content_type: "image/png", size: 0, sha256: null, state: "uploaded" },
      {
        key: shots[0],
        org_id: fx.orgId,
        purpose: "item-screenshot",
        content_type: "image/webp",
        size: 0,
        sha256: null,
        state: "uploaded",
      },
      {
        key: shots[1],
        org_id: fx.orgId,
        purpose: "item-screenshot",
        content_type: "image/jpeg",
        size: 0,
        sha256: null,
        state: "uploaded",
      },
      {
        key: `projects/${projectId}/assets/notes`,
        org_id: fx.orgId,
        purpose: "project-asset",
        content_type: "text/plain",
        size: 7,
        sha256: "abc",
        state: "ready",
      },
      {
        key: `projects/${projectId}/assets/photo`,
        org_id: fx.orgId,
        purpose: "project-asset",
        content_type: "image/JPEG; q=1",
        size: 7,
        sha256: "abc",
        state: "uploaded",
      },
    ]);
  });
});
