/**
 * What an upload becomes: a version of an item (kind `bundle`), an asset of a project (kind
 * `asset`) or an item's icon or screenshot (kind `item-image`). Each kind needs the role and scope
 * of its single-PUT upload, checked when the upload is created and again when its last byte
 * arrives; the domain that owns the result then takes the bytes through its public API.
 */
import { CreateUploadBody, ITEM_IMAGE_MAX_BYTES } from "../../../shared/catalog";
import type { MediaPurpose } from "../../../shared/media";
import type { TokenScope } from "../../../shared/roles";
import { UploadMetadata } from "../../../shared/uploads";
import { adoptItemImage, checkItemImageUpload, checkVersionUpload, newItemImageKey, publishStagedBundle } from "../catalog";
import type { Ctx } from "../context";
import type { Env } from "../env";
import { validationError } from "../http/error-handler";
import { AppError } from "../http/errors";
import type { Principal } from "../http/principal";
import { adoptUploadedAsset, assetContentType, assetUploadAccess, newAssetKey } from "../projects";
import type { UploadTarget } from "./tables";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export const maxBytes = (env: Env, kind: UploadTarget["kind"]) =>
  kind === "bundle"
    ? Number(env.TUS_BUNDLE_MAX_BYTES) || 2 * GiB
    : kind === "asset"
      ? Number(env.TUS_ASSET_MAX_BYTES) || 500 * MiB
      : ITEM_IMAGE_MAX_BYTES;

/** The scope a token needs to create or continue an upload of this kind (as for its single PUT). */
export const scopeOf = (kind: UploadTarget["kind"]): TokenScope => (kind === "asset" ? "orgs:write" : "catalog:write");

/**
 * The media row the file gets, `pending` from its upload's creation (none for bundles: content-
 * addressed and shared by versions, their lifecycle is this upload's row and the version's).
 */
export function mediaOf(target: UploadTarget): { purpose: MediaPurpose; contentType: string } | undefined {
  if (target.kind === "asset") return { purpose: "project-asset", contentType: assetContentType(target.contentType) };
  if (target.kind === "item-image") return { purpose: `item-${target.role}`, contentType: target.contentType };
  return undefined;
}

export interface PlannedUpload {
  orgId: string;
  target: UploadTarget;
  sha256: string | null;
  /** Where the completed file is assembled. */
  r2Key: string;
}

/** Every R2 object of an upload itself (not what it becomes) lives under this prefix. */
export const UPLOADS_PREFIX = "uploads/tus/";
/** Staged bundles wait here until their digest is checked; temporary bytes of every upload live under the same prefix. */
export const uploadPrefix = (uploadId: string) => `${UPLOADS_PREFIX}${uploadId}/`;

const METADATA = "header.upload-metadata";

/** Reads `Upload-Metadata` into a target the caller may upload to, or throws the answer (400/403/404/409/413). */
export async function planUpload(
  ctx: Ctx,
  { principal, metadata, length, uploadId }: { principal: Principal; metadata: Record<string, string>; length: number; uploadId: string },
): Promise<PlannedUpload> {
  const parsed = UploadMetadata.safeParse(metadata);
  if (!parsed.success) throw validationError(parsed.error, METADATA);
  const meta = parsed.data;
  const max = maxBytes(ctx.env, meta.kind);
  if (length > max) throw new AppError("payload_too_large", `A ${meta.kind} upload is limited to ${max} bytes`);

  if (meta.kind === "bundle") {
    const input = CreateUploadBody.safeParse({ ...meta, manifest: manifestJson(meta.manifest), size: length });
    if (!input.success) throw validationError(input.error, METADATA);
    const item = await checkVersionUpload(ctx, { principal, slug: meta.item, input: input.data });
    const { size: _, ...declared } = input.data;
    return {
      orgId: item.orgId,
      target: { kind: "bundle", itemId: item.id, input: declared },
      sha256: declared.sha256,
      r2Key: `${uploadPrefix(uploadId)}bundle`,
    };
  }
  if (meta.kind === "item-image") {
    const { orgId, itemId } = await checkItemImageUpload(ctx, { principal, item: meta.item });
    // 415 unless the type is one authors may upload.
    const r2Key = newItemImageKey(itemId, meta.filetype);
    const contentType = meta.filetype?.split(";")[0]?.trim().toLowerCase() ?? "";
    return { orgId, target: { kind: "item-image", itemId, role: meta.role, contentType }, sha256: meta.sha256 ?? null, r2Key };
  }
  const access = await assetUploadAccess({ ...ctx, principal }, { projectId: meta.project });
  return {
    orgId: access.orgId,
    target: { kind: "asset", projectId: access.project.id, name: meta.filename, contentType: meta.filetype },
    sha256: meta.sha256 ?? null,
    r2Key: newAssetKey(access.project.id),
  };
}

function manifestJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid_request", "Upload-Metadata: manifest is not JSON", {
      fields: { [`${METADATA}.manifest`]: ["must be plaza.json's JSON"] },
    });
  }
}

/**
 * Hands the complete, checked file at `r2Key` to the domain it was uploaded for (which keeps or
 * deletes it) and answers what it became.
 */
export async function adoptUpload(
  ctx: Ctx,
  { principal, target, r2Key, size, sha256 }: { principal: Principal; target: UploadTarget; r2Key: string; size: number; sha256: string },
): Promise<Record<string, unknown>> {
  const as = { ...ctx, principal };
  if (target.kind === "bundle") {
    const version = await publishStagedBundle(as, { principal, itemId: target.itemId, input: { ...target.input, size }, stagedKey: r2Key });
    return { versionId: version.id, version: version.version };
  }
  if (target.kind === "item-image") {
    const { itemId, role, contentType } = target;
    await adoptItemImage(as, { principal, itemId, role, key: r2Key, contentType, size, sha256 });
    return { itemId, role, url: `/media/${r2Key}` };
  }
  const asset = await adoptUploadedAsset(as, {
    projectId: target.projectId,
    name: target.name,
    key: r2Key,
    contentType: target.contentType,
    size,
    sha256,
  });
  return { asset };
}
