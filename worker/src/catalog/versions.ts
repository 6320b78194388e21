import { and, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { compare, gt, rcompare } from "semver";
import type { z } from "zod";
import type { CreateUploadBody, VersionT } from "../../../shared/catalog";
import { auditInsert } from "../audit";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import { chunked } from "../db/chunked";
import type { Db } from "../db/client";
import type { Env } from "../env";
import { type OrgAccess, requireOrgRole } from "../http/access";
import { AppError } from "../http/errors";
import type { Principal } from "../http/principal";
import { enqueueWebhookEvents, webhookEvent } from "../webhooks";
import { findOrgItem, findVisibleItemBySlug, type ItemRow } from "./queries";
import { findItemBySlug } from "./refs";
import { items, uploads, versions } from "./tables";

const UPLOAD_TTL_MS = 60 * 60_000;
export const DEFAULT_MAX_BUNDLE_BYTES = 50 * 1024 * 1024;

export function maxBundleBytes(env: Env): number {
  return Number(env.BUNDLE_MAX_BYTES) || DEFAULT_MAX_BUNDLE_BYTES;
}

/** Bundles are content-addressed: identical bytes share one object, whoever uploads them. */
export const bundleKey = (sha256: string) => `bundles/sha256/${sha256}`;

type VersionRow = typeof versions.$inferSelect;

export function toVersion(row: VersionRow): VersionT {
  return {
    id: row.id,
    itemId: row.itemId,
    version: row.version,
    channel: row.channel,
    changelog: row.changelog,
    manifest: row.manifest,
    engineRange: row.engineRange,
    sha256: row.bundleSha256,
    size: row.bundleSize,
    yanked: row.yankedAt !== null,
    createdAt: row.createdAt,
  };
}

/** Every way a proposed version can be refused, checked before any bytes are sent and again after. */
async function assertPublishable(
  db: Db,
  item: ItemRow,
  input: { version: string; channel: "stable" | "beta"; manifest: { name: string; version: string } },
) {
  const fields: Record<string, string[]> = {};
  if (input.manifest.name !== item.slug) fields["body.manifest.name"] = [`must be the item's slug "${item.slug}"`];
  if (input.manifest.version !== input.version)
    fields["body.manifest.version"] = [`must equal the version being published (${input.version})`];
  if (Object.keys(fields).length) throw new AppError("invalid_request", "The manifest does not match this upload", { fields });

  const existing = await db
    .select({ version: versions.version, channel: versions.channel })
    .from(versions)
    .where(eq(versions.itemId, item.id));
  if (existing.some((v) => v.version === input.version)) {
    throw new AppError("conflict", `Version ${input.version} already exists`, { fields: { "body.version": ["already exists"] } });
  }
  // Yanked versions still count: a number once used is never reissued with other bytes.
  const latest = existing
    .filter((v) => v.channel === input.channel)
    .map((v) => v.version)
    .sort(rcompare)[0];
  if (latest && !gt(input.version, latest)) {
    throw new AppError("conflict", `Version ${input.version} must be greater than ${latest}, the latest on the ${input.channel} channel`, {
      fields: { "body.version": [`must be greater than ${latest}`] },
    });
  }
}

/** The item a caller may publish a version of: admin in its org (others learn only that it exists), not removed. */
function uploadableItem(principal: Principal, item: ItemRow | undefined): ItemRow {
  if (!item) throw new AppError("not_found", "Item not found");
  requireOrgRole(principal, item.orgId, "admin", "catalog:write");
  if (item.status === "removed") throw new AppError("conflict", "This item was removed by an operator");
  return item;
}

/** What a version upload declares, whatever carries its bytes (a single PUT or a resumable upload). */
export type VersionUploadInput = z.infer<typeof CreateUploadBody>;

/**
 * The checks of starting a version upload, for a resumable upload that carries the bytes itself:
 * the caller's role and every way the version could be refused. Answers the item.
 */
export async function checkVersionUpload(
  ctx: Ctx,
  { principal, slug, input }: { principal: Principal; slug: string; input: VersionUploadInput },
) {
  const item = uploadableItem(principal, await findItemBySlug(ctx.db, slug));
  await assertPublishable(ctx.db, item, input);
  return { id: item.id, orgId: item.orgId, slug: item.slug };
}

/**
 * Publishes a version from bytes a resumable upload staged (already checked against `input.sha256`)
 * at `stagedKey`: the checks run again, the bytes move to their content-addressed key, then the
 * version lands as a single-PUT upload's does. The staged object is gone afterwards either way.
 */
export async function publishStagedBundle(
  ctx: Ctx,
  { principal, itemId, input, stagedKey }: { principal: Principal; itemId: string; input: VersionUploadInput; stagedKey: string },
) {
  const { db, env } = ctx;
  try {
    const [row] = await db.select().from(items).where(eq(items.id, itemId)).limit(1);
    const item = uploadableItem(principal, row);
    await assertPublishable(db, item, input);
    const key = bundleKey(input.sha256);
    // Identical bytes are stored once: an existing object under the digest already holds them.
    if (!(await env.BUCKET.head(key))) {
      const staged = await env.BUCKET.get(stagedKey);
      if (!staged) throw new AppError("not_found", "The uploaded bytes are gone");
      const fixed = new FixedLengthStream(staged.size);
      await Promise.all([
        staged.body.pipeTo(fixed.writable),
        env.BUCKET.put(key, fixed.readable, {
          sha256: input.sha256,
          httpMetadata: { contentType: "application/gzip" },
          customMetadata: { size: String(input.size) },
        }),
      ]);
    }
    return await publishVersion(ctx, { item, upload: { ...input, createdBy: principal.userId } });
  } finally {
    await env.BUCKET.delete(stagedKey);
  }
}

/**
 * Starts publishing a version of the item `slug`: needs admin in the item's org (so a caller who
 * is not learns only that the item exists).
 */
export async function createUpload(
  ctx: Ctx,
  { principal, slug, input }: { principal: Principal; slug: string; input: z.infer<typeof CreateUploadBody> },
) {
  const { db, env } = ctx;
  const item = uploadableItem(principal, await findItemBySlug(db, slug));
  const max = maxBundleBytes(env);
  if (input.size > max)
    throw new AppError("payload_too_large", `Bundles are limited to ${max} bytes`, { fields: { "body.size": [`must be at most ${max}`] } });
  await assertPublishable(db, item, input);
  const now = Date.now();
  const row = {
    id: newId("upload"),
    orgId: item.orgId,
    itemId: item.id,
    version: input.version,
    channel: input.channel,
    changelog: input.changelog,
    manifest: input.manifest,
    sha256: input.sha256,
    size: input.size,
    createdBy: principal.userId,
    createdAt: now,
    expiresAt: now + UPLOAD_TTL_MS,
  };
  await db.insert(uploads).values(row);
  return { id: row.id, uploadUrl: `/v1/uploads/${row.id}`, expiresAt: row.expiresAt, maxBytes: max };
}

/**
 * Receives the bytes of an upload. R2 verifies the declared SHA-256 as it stores the object and
 * refuses a mismatch, so a bad upload never leaves an object behind; the version row, the
 * upload's completion and the item's latest version then land in one batch.
 */
export async function completeUpload(
  ctx: Ctx,
  {
    principal,
    uploadId,
    body,
    contentLength,
  }: { principal: Principal; uploadId: string; body: ReadableStream | null; contentLength: number },
) {
  const { db, env } = ctx;
  const [upload] = await db.select().from(uploads).where(eq(uploads.id, uploadId)).limit(1);
  if (!upload) throw new AppError("not_found", "Upload not found");
  requireOrgRole(principal, upload.orgId, "admin", "catalog:write");
  if (upload.completedAt) throw new AppError("conflict", "This upload is already complete");
  if (upload.expiresAt <= Date.now()) throw new AppError("gone", "This upload has expired; start a new one");
  if (!body || contentLength !== upload.size) {
    throw new AppError(
      "invalid_request",
      `Send exactly the ${upload.size} bytes declared (Content-Length was ${contentLength || "missing"})`,
    );
  }
  const [item] = await db.select().from(items).where(eq(items.id, upload.itemId)).limit(1);
  if (!item) throw new AppError("not_found", "Item not found");
  await assertPublishable(db, item, upload);

  const key = bundleKey(upload.sha256);
  try {
    await env.BUCKET.put(key, body, {
      sha256: upload.sha256,
      httpMetadata: { contentType: "application/gzip" },
      customMetadata: { size: String(upload.size) },
    });
  } catch (err) {
    if (/digest|checksum|sha-?256/i.test(String(err))) {
      throw new AppError("unprocessable", "The bytes do not match the declared SHA-256; nothing was stored");
    }
    throw err;
  }
  return publishVersion(ctx, { item, upload, catalogUploadId: upload.id });
}

/**
 * Saves the version whose bundle is stored at its content-addressed key: the version row, the
 * single-PUT upload's completion (if one carried it) and the item's latest version in one batch.
 */
async function publishVersion(
  ctx: Ctx,
  { item, upload, catalogUploadId }: { item: ItemRow; upload: VersionUploadInput & { createdBy: string }; catalogUploadId?: string },
) {
  const { db, env } = ctx;
  const key = bundleKey(upload.sha256);
  const now = Date.now();
  const version = {
    id: newId("version"),
    itemId: item.id,
    orgId: item.orgId,
    version: upload.version,
    channel: upload.channel,
    changelog: upload.changelog,
    manifest: upload.manifest,
    engineRange: upload.manifest.engines.plaza,
    bundleKey: key,
    bundleSha256: upload.sha256,
    bundleSize: upload.size,
    publishedBy: upload.createdBy,
    createdAt: now,
    yankedAt: null,
  };
  const event = await webhookEvent(
    db,
    item.orgId,
    "version.published",
    {
      item: { id: item.id, slug: item.slug, name: item.name },
      version: version.version,
      channel: version.channel,
      sha256: version.bundleSha256,
      size: version.bundleSize,
      publishedAt: now,
    },
    { cause: version.id, now },
  );
  try {
    await db.batch([
      event.insert,
      db.insert(versions).values(version),
      db
        .update(uploads)
        .set({ completedAt: now })
        .where(and(eq(uploads.id, catalogUploadId ?? ""), isNull(uploads.completedAt))),
      db
        .update(items)
        .set(await latestVersionOf(db, item.id, version))
        .where(eq(items.id, item.id)),
      auditInsert(ctx, {
        action: "version.published",
        orgId: item.orgId,
        actorUserId: upload.createdBy,
        targetType: "version",
        targetId: version.id,
        metadata: { item: item.slug, version: version.version, channel: version.channel, sha256: version.bundleSha256 },
      }),
    ]);
  } catch (err) {
    // A concurrent upload won the same version number: drop our object unless another version uses it.
    await deleteBundleIfUnused(db, env, key);
    if (String(err).includes("UNIQUE")) throw new AppError("conflict", `Version ${upload.version} already exists`);
    throw err;
  }
  await enqueueWebhookEvents(env, [event.id]);
  await ctx.events.emit("catalog.changed", { orgId: item.orgId, itemIds: [item.id] });
  return toVersion(version);
}

async function deleteBundleIfUnused(db: Db, env: Env, key: string) {
  const [used] = await db.select({ id: versions.id }).from(versions).where(eq(versions.bundleKey, key)).limit(1);
  if (!used) await env.BUCKET.delete(key);
}

/**
 * The item's denormalised "latest": newest non-yanked stable version (else newest beta), and its
 * engine range for the search filter. `pending` is a version row as it will be once the same
 * batch has run (just inserted, or just yanked). Returns the values, not a statement: an async
 * function returning a drizzle query would run it when awaited.
 */
async function latestVersionOf(db: Db, itemId: string, pending: VersionRow) {
  const saved = await db.select().from(versions).where(eq(versions.itemId, itemId));
  const live = [...saved.filter((v) => v.id !== pending.id), pending].filter((v) => v.yankedAt === null);
  const newest = (channel: "stable" | "beta") => live.filter((v) => v.channel === channel).sort((a, b) => compare(b.version, a.version))[0];
  const latest = newest("stable") ?? newest("beta");
  return { latestVersion: latest?.version ?? null, latestEngineRange: latest?.engineRange ?? null, updatedAt: Date.now() };
}

/** SQL: bytes of the org's published bundles (counted per version), for its storage quota (counted inside the statement that checks it). */
export const orgBundleBytesSql = (orgId: string): SQL<number> =>
  sql<number>`(SELECT coalesce(sum(${versions.bundleSize}), 0) FROM ${versions} WHERE ${versions.orgId} = ${orgId})`;

/** Of `keys` (under `bundles/`), those some version's bundle is stored at (orphan sweep). */
export async function bundleKeysInUse(db: Db, keys: readonly string[]): Promise<Set<string>> {
  const used = new Set<string>();
  for (const part of chunked([...new Set(keys)])) {
    const rows = await db.selectDistinct({ key: versions.bundleKey }).from(versions).where(inArray(versions.bundleKey, part));
    for (const row of rows) used.add(row.key);
  }
  return used;
}

/** The item's versions as the API shows them, newest first. */
export async function listVersions(db: Db, itemId: string, { includeYanked }: { includeYanked: boolean }) {
  const rows = await db
    .select()
    .from(versions)
    .where(and(eq(versions.itemId, itemId), includeYanked ? sql`1 = 1` : isNull(versions.yankedAt)))
    .orderBy(desc(versions.createdAt));
  return rows.sort((a, b) => compare(b.version, a.version)).map(toVersion);
}

/** Every version of one of the org's items, yanked ones included (its authors' view). */
export async function listOrgItemVersions(ctx: Ctx, { orgId, itemId }: { orgId: string; itemId: string }) {
  const { item } = await findOrgItem(ctx.db, orgId, itemId);
  return listVersions(ctx.db, item.id, { includeYanked: true });
}

/** A published or unlisted item's installable versions. */
export async function listInstallableVersions(ctx: Ctx, { slug }: { slug: string }) {
  const { item } = await findVisibleItemBySlug(ctx.db, slug);
  return listVersions(ctx.db, item.id, { includeYanked: false });
}

/** Yanked versions stay downloadable for those who have them, but are hidden from new installs. */
export async function setYanked(
  ctx: Ctx,
  { access, itemId, version, yanked }: { access: OrgAccess; itemId: string; version: string; yanked: boolean },
) {
  const { db } = ctx;
  const { item } = await findOrgItem(db, access.orgId, itemId);
  const [row] = await db
    .select()
    .from(versions)
    .where(and(eq(versions.itemId, item.id), eq(versions.version, version)))
    .limit(1);
  if (!row) throw new AppError("not_found", "Version not found");
  const updated = { ...row, yankedAt: yanked ? (row.yankedAt ?? Date.now()) : null };
  await db.batch([
    db.update(versions).set({ yankedAt: updated.yankedAt }).where(eq(versions.id, row.id)),
    db
      .update(items)
      .set(await latestVersionOf(db, item.id, updated))
      .where(eq(items.id, item.id)),
    auditInsert(ctx, {
      action: yanked ? "version.yanked" : "version.unyanked",
      orgId: item.orgId,
      actorUserId: access.principal.userId,
      targetType: "version",
      targetId: row.id,
      metadata: { item: item.slug, version },
    }),
  ]);
  await ctx.events.emit("catalog.changed", { orgId: item.orgId, itemIds: [item.id] });
  return toVersion(updated);
}
