/**
 * Project assets in R2. Uploads stream (never buffered): the declared Content-Length is checked
 * against the cap, a FixedLengthStream holds the body to it, and a DigestStream hashes it on the way.
 * Each stored file is a media row (its state: images are processed, anything else is ready at once),
 * and its bytes go with that row (`discardMedia`).
 */
import { and, eq, getTableColumns, type SQL, sql } from "drizzle-orm";
import { PROJECT_ASSET_MAX_BYTES } from "../../../shared/projects";
import type { Ctx } from "../context";
import { randomBase62 } from "../crypto/random";
import type { Db } from "../db/client";
import type { Env } from "../env";
import { AppError, notFound } from "../http/errors";
import { discardMedia, type MediaInfo, mediaImageSql, registerMedia } from "../media";
import { findProject, type ProjectAccess, requireProject } from "./access";
import { projectAssets } from "./tables";

/** Every R2 object of every project (assets, large snapshots) lives under this prefix. */
export const PROJECTS_PREFIX = "projects/";
/** Every R2 object of a project lives under this prefix, so deleting a project can list them. */
export const projectPrefix = (projectId: string) => `${PROJECTS_PREFIX}${projectId}/`;

type AssetRow = typeof projectAssets.$inferSelect;
/** An asset with its media row, read in the same statement. */
const withMedia = { ...getTableColumns(projectAssets), media: mediaImageSql(projectAssets.r2Key) };

/**
 * An asset as the API shows it. One without a media row was stored before media rows existed and
 * missed the backfill: its bytes are whole, so it is ready.
 */
const toAsset = (r: AssetRow, media: Pick<MediaInfo, "state" | "failure" | "placeholder" | "width" | "height"> | null) => ({
  name: r.name,
  contentType: r.contentType,
  size: r.size,
  sha256: r.sha256,
  createdBy: r.createdBy,
  createdAt: r.createdAt,
  state: media?.state ?? "ready",
  failure: media?.failure ?? null,
  placeholder: media?.state === "ready" ? media.placeholder : null,
  width: media?.width ?? null,
  height: media?.height ?? null,
});

export async function listAssets(db: Db, projectId: string) {
  const rows = await db
    .select(withMedia)
    .from(projectAssets)
    .where(eq(projectAssets.projectId, projectId))
    .orderBy(projectAssets.name)
    .limit(1000);
  return rows.map(({ media, ...row }) => toAsset(row, media));
}

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** A type/subtype, kept as sent (parameters too); anything else is stored as octet-stream. */
export function assetContentType(header: string | undefined) {
  const value = header?.trim() ?? "";
  return /^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(value) && value.length <= 200 ? value : "application/octet-stream";
}

export interface AssetUpload {
  access: ProjectAccess;
  name: string;
  body: ReadableStream | null;
  contentType?: string;
  contentLength?: string;
}

/** Creates or replaces the asset `name`. Each upload gets a fresh key, so a reader never sees half of one. */
export async function putAsset(ctx: Ctx, { access, name, body, ...headers }: AssetUpload) {
  const { env } = ctx;
  const declared = headers.contentLength;
  if (!declared || !/^\d+$/.test(declared))
    throw new AppError("invalid_request", "Send the asset with a Content-Length", { fields: { "header.content-length": ["is required"] } });
  const size = Number(declared);
  if (size > PROJECT_ASSET_MAX_BYTES) throw new AppError("payload_too_large", `Assets are limited to ${PROJECT_ASSET_MAX_BYTES} bytes`);
  const projectId = access.project.id;
  const key = newAssetKey(projectId);
  const contentType = assetContentType(headers.contentType);
  const fixed = new FixedLengthStream(size);
  // workerd's crypto.DigestStream; the Node typings of `crypto` hide it.
  const digest = new (crypto as unknown as { DigestStream: typeof DigestStream }).DigestStream("SHA-256");
  const [toBucket, toDigest] = (body ?? new Blob([]).stream()).tee();
  const piped = Promise.all([toBucket.pipeTo(fixed.writable), toDigest.pipeTo(digest)]);
  try {
    await Promise.all([env.BUCKET.put(key, fixed.readable, { httpMetadata: { contentType } }), piped]);
  } catch {
    // Nothing refers to these bytes yet (no media row): deleted as they are.
    await env.BUCKET.delete(key);
    throw new AppError("invalid_request", `The body did not match its Content-Length of ${size} bytes`);
  }
  return saveAsset(ctx, { access, name, key, contentType, size, sha256: hex(await digest.digest) });
}

/** A fresh key for an asset's bytes under its project's prefix (so deleting the project finds them). */
export const newAssetKey = (projectId: string) => `${projectPrefix(projectId)}assets/${randomBase62(16)}`;

/**
 * Makes the stored bytes at `key` the asset `name`, replacing (and discarding) any previous bytes
 * of that name. Its media row is registered first (or, for a resumable upload's `pending` row,
 * moved on), so an asset never lacks one.
 */
async function saveAsset(
  ctx: Ctx,
  { access, name, key, ...stored }: { access: ProjectAccess; name: string; key: string; contentType: string; size: number; sha256: string },
) {
  const { db } = ctx;
  const projectId = access.project.id;
  const previous = await findAsset(db, projectId, name);
  const contentType = stored.contentType;
  const media = await registerMedia(ctx, {
    orgId: access.orgId,
    key,
    purpose: "project-asset",
    contentType,
    size: stored.size,
    sha256: stored.sha256,
    state: "uploaded",
  });
  const row: AssetRow = {
    projectId,
    name,
    orgId: access.orgId,
    r2Key: key,
    contentType,
    size: stored.size,
    sha256: stored.sha256,
    createdBy: access.principal.userId,
    createdAt: Date.now(),
  };
  const [saved] = await db
    .insert(projectAssets)
    .values(row)
    .onConflictDoUpdate({
      target: [projectAssets.projectId, projectAssets.name],
      set: { r2Key: key, contentType, size: row.size, sha256: row.sha256, createdBy: row.createdBy, createdAt: row.createdAt },
    })
    .returning()
    .catch(async (err: unknown) => {
      // The project was deleted while the bytes streamed in: its row's foreign key now fails.
      await discardMedia(ctx, [key]);
      if (!(await findProject(db, projectId))) throw notFound("Project");
      throw err;
    });
  // A concurrent upload of the same name that landed later owns the row: drop our bytes, not theirs.
  if (saved?.r2Key !== key) await discardMedia(ctx, [key]);
  else if (previous && previous.r2Key !== key) await discardMedia(ctx, [previous.r2Key]);
  return toAsset(saved ?? row, media);
}

/** The write access a resumable asset upload into `projectId` needs (the single PUT's), checked when it starts and when it ends. */
export async function assetUploadAccess(ctx: Ctx, { projectId }: { projectId: string }) {
  const project = await findProject(ctx.db, projectId);
  if (!project) throw notFound("Project");
  return requireProject(ctx, { orgId: project.orgId, projectId, need: "write", scope: "orgs:write" });
}

/**
 * Makes bytes a resumable upload stored at `key` (from `newAssetKey`) the asset `name`, if the
 * caller may still write the project; otherwise the bytes are deleted.
 */
export async function adoptUploadedAsset(
  ctx: Ctx,
  { projectId, name, key, ...stored }: { projectId: string; name: string; key: string; contentType?: string; size: number; sha256: string },
) {
  try {
    const access = await assetUploadAccess(ctx, { projectId });
    return await saveAsset(ctx, { access, name, key, ...stored, contentType: assetContentType(stored.contentType) });
  } catch (err) {
    await discardMedia(ctx, [key]);
    throw err;
  }
}

/** SQL: bytes of the org's project assets, for its storage quota (counted inside the statement that checks it). */
export const orgAssetBytesSql = (orgId: string): SQL<number> =>
  sql<number>`(SELECT coalesce(sum(${projectAssets.size}), 0) FROM ${projectAssets} WHERE ${projectAssets.orgId} = ${orgId})`;

async function findAsset(db: Db, projectId: string, name: string) {
  const [row] = await db
    .select(withMedia)
    .from(projectAssets)
    .where(and(eq(projectAssets.projectId, projectId), eq(projectAssets.name, name)))
    .limit(1);
  return row;
}

/**
 * An asset's bytes (streamed from R2) with what the response says of them; only once it is ready:
 * 409 `media_not_ready` while it uploads or is processed, 422 `media_failed` with the reason.
 */
export async function getAsset(ctx: Ctx, { projectId, name }: { projectId: string; name: string }) {
  const row = await findAsset(ctx.db, projectId, name);
  if (!row) throw notFound("Asset");
  const { state, failure } = toAsset(row, row.media);
  if (state === "failed") throw new AppError("media_failed", failure ?? "This asset could not be processed");
  if (state !== "ready") throw new AppError("media_not_ready", "This asset is still being processed; try again shortly");
  const object = await ctx.env.BUCKET.get(row.r2Key);
  if (!object) throw notFound("Asset");
  return { body: object.body, contentType: row.contentType, size: object.size, sha256: row.sha256 };
}

export async function deleteAsset(ctx: Ctx, { projectId, name }: { projectId: string; name: string }) {
  const [removed] = await ctx.db
    .delete(projectAssets)
    .where(and(eq(projectAssets.projectId, projectId), eq(projectAssets.name, name)))
    .returning({ r2Key: projectAssets.r2Key });
  if (!removed) throw notFound("Asset");
  await discardMedia(ctx, [removed.r2Key]);
}

/** Deletes every asset row of a project, answering their keys (for `discardMedia` once the project is gone). */
export const deleteProjectAssets = (db: Db, projectId: string) =>
  db.delete(projectAssets).where(eq(projectAssets.projectId, projectId)).returning({ r2Key: projectAssets.r2Key });

/** Deletes every R2 object of a deleted project (assets and large snapshots). */
export async function deleteProjectObjects(env: Env, projectId: string) {
  let cursor: string | undefined;
  do {
    const page = await env.BUCKET.list({ prefix: projectPrefix(projectId), cursor, limit: 1000 });
    if (page.objects.length) await env.BUCKET.delete(page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}
