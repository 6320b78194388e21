/** The orphan sweep over real local R2 and D1: what it deletes, what it keeps, and where it goes on. */
import { env, exports } from "cloudflare:workers";
import { beforeAll, beforeEach, expect, it } from "vitest";
import { encodeUploadMetadata, TUS_ENDPOINT } from "../../../shared/uploads";
import { bundleBytes, createItemViaApi, publishVersion, sha256Hex } from "../../test/catalog-api";
import { eventually } from "../../test/eventually";
import { type OrgFixture, orgFixture } from "../../test/fixtures";
import { jobContext, runJobs } from "../../test/jobs";
import { fixtureBytes, SMALL_PNG } from "../../test/media-fixtures";
import { project } from "../../test/project-fixtures";
import { runtime } from "../modules";
import { deleteOrphanObjects, ORPHAN_MIN_AGE_MS } from "./orphan-objects";

const worker = (exports as unknown as { default: Fetcher }).default;
const DAY_LATER = () => Date.now() + ORPHAN_MIN_AGE_MS + 60_000;

let fx: OrgFixture;
/** Objects some row refers to, one per declaring module that this file can make rows for. */
const referenced: string[] = [];

const put = async (key: string) => {
  await env.BUCKET.put(key, "bytes");
  return key;
};
const exists = async (key: string) => (await env.BUCKET.head(key)) !== null;
const sweep = (now: number, batchSize = 500) => deleteOrphanObjects(jobContext(env, now, batchSize));
const cursorPosition = async () =>
  (await env.DB.prepare("SELECT position FROM job_cursors WHERE job = 'delete-orphan-objects'").first<{ position: string | null }>())
    ?.position;

beforeAll(async () => {
  fx = await orgFixture();
  const p = await project(fx);
  // An asset (projects/<id>/assets/…), stored through the API.
  const asset = await worker.fetch(`http://plaza.test${p.path}/assets/kept.txt`, {
    method: "PUT",
    headers: { authorization: `Bearer ${fx.owner.accessToken}`, "content-type": "text/plain", "content-length": "4" },
    body: "kept",
  });
  expect(asset.status).toBe(200);
  const assetKey = await env.DB.prepare("SELECT r2_key FROM project_assets WHERE project_id = ?").bind(p.id).first<string>("r2_key");
  // A large snapshot (projects/<id>/snapshots/…).
  const snapshotKey = await put(`projects/${p.id}/snapshots/snp_kept`);
  await env.DB.prepare(
    `INSERT INTO project_snapshots (id, project_id, org_id, reason, size_bytes, sha256, body, r2_key, created_at)
     VALUES ('snp_kept', ?, ?, 'manual', 5, ?, NULL, ?, ?)`,
  )
    .bind(p.id, fx.orgId, "0".repeat(64), snapshotKey, Date.now())
    .run();
  // An unfinished tus upload's pending bytes (uploads/tus/<id>/pending-…).
  const created = await worker.fetch(`http://plaza.test${TUS_ENDPOINT}`, {
    method: "POST",
    headers: {
      "tus-resumable": "1.0.0",
      authorization: `Bearer ${fx.owner.accessToken}`,
      "upload-length": "100",
      "upload-metadata": encodeUploadMetadata({ kind: "asset", project: p.id, filename: "half.bin" }),
      "content-type": "application/offset+octet-stream",
    },
    body: new Uint8Array(10),
  });
  expect(created.status).toBe(201);
  const upload = await env.DB.prepare("SELECT pending_key, r2_key FROM tus_uploads WHERE org_id = ?")
    .bind(fx.orgId)
    .first<{ pending_key: string; r2_key: string }>();
  const pendingKey = upload?.pending_key;
  // Its file as R2 assembles it at completion, before the project adopts it (its media row is pending).
  const assembledKey = await put(upload!.r2_key);
  // A version's bundle (bundles/sha256/…).
  const item = await createItemViaApi(fx.owner, fx.orgId, { slug: `orphans-${Date.now()}`, name: "Orphans" });
  const bundle = bundleBytes("orphans");
  expect((await publishVersion(fx.owner, item.slug, "1.0.0", { bytes: bundle })).status).toBe(201);
  const bundleKey = `bundles/sha256/${await sha256Hex(bundle)}`;
  expect(await exists(bundleKey)).toBe(true);
  // The item's icon (items/<id>/…) and, once processed, its variants (media/<mediaId>/…).
  const icon = fixtureBytes(SMALL_PNG);
  const iconPut = await worker.fetch(`http://plaza.test/v1/orgs/${fx.orgId}/items/${item.id}/icon`, {
    method: "PUT",
    headers: { authorization: `Bearer ${fx.owner.accessToken}`, "content-type": "image/png", "content-length": String(icon.length) },
    body: icon,
  });
  expect(iconPut.status).toBe(200);
  const media = await eventually(
    () =>
      env.DB.prepare("SELECT key, variants FROM media WHERE purpose = 'item-icon' AND state = 'ready' AND org_id = ?")
        .bind(fx.orgId)
        .first<{ key: string; variants: string }>()
        .then((row) => row ?? undefined),
    "the icon processed",
  );
  const variantKeys = (JSON.parse(media.variants) as { key: string }[]).map((v) => v.key);
  expect(variantKeys.length).toBeGreaterThan(0);
  referenced.push(assetKey!, snapshotKey, pendingKey!, assembledKey, bundleKey, media.key, ...variantKeys);
});

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM job_cursors").run();
});

it("every module that stores objects declares its prefix", () => {
  expect(runtime.objects.map((o) => o.prefix).sort()).toEqual(["bundles/", "items/", "media/", "projects/", "uploads/tus/"]);
});

it("deletes day-old objects under each declared prefix that nothing refers to, and keeps referenced, young and undeclared ones", async () => {
  const orphans = await Promise.all(runtime.objects.map((owner) => put(`${owner.prefix}orphan-${crypto.randomUUID()}`)));
  const undeclared = await put(`elsewhere/orphan-${crypto.randomUUID()}`);
  const oldest = (await env.BUCKET.head(orphans[0]!))!.uploaded.getTime();
  // A younger orphan: stored at least 2 ms later than the others, so a run can see it under a day old and them over.
  let young = await put(`uploads/tus/young-${crypto.randomUUID()}`);
  while ((await env.BUCKET.head(young))!.uploaded.getTime() < oldest + 2) young = await put(`uploads/tus/young-${crypto.randomUUID()}`);
  const youngAt = (await env.BUCKET.head(young))!.uploaded.getTime();

  // Nothing is a day old yet.
  expect(await sweep(Date.now())).toBe(0);
  for (const key of [...orphans, young, undeclared, ...referenced]) expect(await exists(key), key).toBe(true);

  // A day after the young orphan's upload (less a millisecond): the others are over a day old.
  expect(await sweep(youngAt + ORPHAN_MIN_AGE_MS - 1)).toBeGreaterThanOrEqual(orphans.length);
  for (const key of orphans) expect(await exists(key), key).toBe(false);
  for (const key of [young, undeclared, ...referenced]) expect(await exists(key), key).toBe(true);

  // Past its day, the young one goes too; what is referenced or undeclared stays.
  await sweep(DAY_LATER());
  expect(await exists(young)).toBe(false);
  for (const key of [undeclared, ...referenced]) expect(await exists(key), key).toBe(true);
});

it("walks the bucket a page a run, going on where the last run stopped, and starts over at its end", async () => {
  const orphans = await Promise.all([1, 2, 3, 4, 5].map((n) => put(`uploads/tus/cursor-${n}`)));
  const keys = (await env.BUCKET.list({ limit: 1000 })).objects.map((o) => o.key);
  const now = DAY_LATER();

  expect(await sweep(now, 2)).toBeLessThanOrEqual(2);
  expect(await cursorPosition()).toBe(keys[1]);
  await sweep(now, 2);
  expect(await cursorPosition()).toBe(keys[3]);
  let runs = 2;
  while ((await cursorPosition()) !== null) {
    await sweep(now, 2);
    runs += 1;
    expect(runs).toBeLessThanOrEqual(keys.length);
  }
  for (const key of orphans) expect(await exists(key), key).toBe(false);
  for (const key of referenced) expect(await exists(key), key).toBe(true);
});

it("runs on the cron tick, logged in job_runs with the number deleted", async () => {
  const orphan = await put(`projects/prj_gone/assets/${crypto.randomUUID()}`);
  const tick = DAY_LATER();
  await runJobs(tick, env, { "delete-orphan-objects": runtime.jobs["delete-orphan-objects"]! });
  const run = await env.DB.prepare("SELECT status, processed FROM job_runs WHERE job = 'delete-orphan-objects' AND scheduled_at = ?")
    .bind(tick)
    .first();
  expect(run).toEqual({ status: "succeeded", processed: 1 });
  expect(await exists(orphan)).toBe(false);
});
