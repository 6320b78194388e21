/**
 * Project assets in R2. Uploads stream (never buffered): the declared Content-Length is checked
 * against the cap, a FixedLengthStream holds the body to it, and a DigestStream hashes it on the way.
 */
import { and, eq } from "drizzle-orm";
import { PROJECT_ASSET_MAX_BYTES } from "../../../shared/projects";
import type { Ctx } from "../context";
import { randomBase62 } from "../crypto/random";
import type { Db } from "../db/client";
import type { Env } from "../env";
import { AppError, notFound } from "../http/errors";
import { findProject, type ProjectAccess } from "./access";
import { projectAssets } from "./tables";

/** Every R2 object of a project lives under this prefix, so deleting a project can list them. */
export const projectPrefix = (projectId: string) => `projects/${projectId}/`;

type AssetRow = typeof projectAssets.$inferSelect;
const toAsset = (r: AssetRow) => ({
  name: r.name,
  contentType: r.contentType,
  size: r.size,
  sha256: r.sha256,
  createdBy: r.createdBy,
  createdAt: r.createdAt,
});

export async function listAssets(db: Db, projectId: string) {
  const rows = await db.select().from(projectAssets).where(eq(projectAssets.projectId, projectId)).orderBy(projectAssets.name).limit(1000);
  return rows.map(toAsset);
}

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** A type/subtype, kept as sent (parameters too); anything else is stored as octet-stream. */
function contentTypeOf(header: string | undefined) {
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
  const { db, env } = ctx;
  const declared = headers.contentLength;
  if (!declared || !/^\d+$/.test(declared))
    throw new AppError("invalid_request", "Send the asset with a Content-Length", { fields: { "header.content-length": ["is required"] } });
  const size = Number(declared);
  if (size > PROJECT_ASSET_MAX_BYTES) throw new AppError("payload_too_large", `Assets are limited to ${PROJECT_ASSET_MAX_BYTES} bytes`);
  const projectId = access.project.id;
  const previous = await findAsset(db, projectId, name);

  const key = `${projectPrefix(projectId)}assets/${randomBase62(16)}`;
  const contentType = contentTypeOf(headers.contentType);
  const fixed = new FixedLengthStream(size);
  // workerd's crypto.DigestStream; the Node typings of `crypto` hide it.
  const digest = new (crypto as unknown as { DigestStream: typeof DigestStream }).DigestStream("SHA-256");
  const [toBucket, toDigest] = (body ?? new Blob([]).stream()).tee();
  const piped = Promise.all([toBucket.pipeTo(fixed.writable), toDigest.pipeTo(digest)]);
  try {
    await Promise.all([env.BUCKET.put(key, fixed.readable, { httpMetadata: { contentType } }), piped]);
  } catch {
    await env.BUCKET.delete(key);
    throw new AppError("invalid_request", `The body did not match its Content-Length of ${size} bytes`);
  }
  const row: AssetRow = {
    projectId,
    name,
    orgId: access.orgId,
    r2Key: key,
    contentType,
    size,
    sha256: hex(await digest.digest),
    createdBy: access.principal.userId,
    createdAt: Date.now(),
  };
  const [stored] = await db
    .insert(projectAssets)
    .values(row)
    .onConflictDoUpdate({
      target: [projectAssets.projectId, projectAssets.name],
      set: { r2Key: key, contentType, size, sha256: row.sha256, createdBy: row.createdBy, createdAt: row.createdAt },
    })
    .returning()
    .catch(async (err: unknown) => {
      // The project was deleted while the bytes streamed in: its row's foreign key now fails.
      await env.BUCKET.delete(key);
      if (!(await findProject(db, projectId))) throw notFound("Project");
      throw err;
    });
  // A concurrent upload of the same name that landed later owns the row: drop our bytes, not theirs.
  if (stored?.r2Key !== key) await env.BUCKET.delete(key);
  else if (previous && previous.r2Key !== key) await env.BUCKET.delete(previous.r2Key);
  return toAsset(stored ?? row);
}

async function findAsset(db: Db, projectId: string, name: string): Promise<AssetRow | undefined> {
  const [row] = await db
    .select()
    .from(projectAssets)
    .where(and(eq(projectAssets.projectId, projectId), eq(projectAssets.name, name)))
    .limit(1);
  return row;
}

/** An asset's bytes (streamed from R2) with what the response says of them. */
export async function getAsset(ctx: Ctx, { projectId, name }: { projectId: string; name: string }) {
  const row = await findAsset(ctx.db, projectId, name);
  const object = row && (await ctx.env.BUCKET.get(row.r2Key));
  if (!row || !object) throw notFound("Asset");
  return { body: object.body, contentType: row.contentType, size: object.size, sha256: row.sha256 };
}

export async function deleteAsset(ctx: Ctx, { projectId, name }: { projectId: string; name: string }) {
  const [removed] = await ctx.db
    .delete(projectAssets)
    .where(and(eq(projectAssets.projectId, projectId), eq(projectAssets.name, name)))
    .returning({ r2Key: projectAssets.r2Key });
  if (!removed) throw notFound("Asset");
  await ctx.env.BUCKET.delete(removed.r2Key);
}

/** Deletes every R2 object of a deleted project (assets and large snapshots). */
export async function deleteProjectObjects(env: Env, projectId: string) {
  let cursor: string | undefined;
  do {
    const page = await env.BUCKET.list({ prefix: projectPrefix(projectId), cursor, limit: 1000 });
    if (page.objects.length) await env.BUCKET.delete(page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}
