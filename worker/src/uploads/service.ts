/**
 * tus uploads: create, report, receive, terminate. Concurrent PATCHes are serialised by a guarded
 * claim in D1: a PATCH first sets `lock_token` where the offset is the one it sends and no live lease
 * is held; the loser gets 409 at once. Every later write of the PATCH is guarded by that token.
 * The last PATCH stores the file and queues it (`verifying`); verify.ts checks and adopts it.
 */
import { and, eq, isNull, lt, ne, or, sql } from "drizzle-orm";
import { orgBundleBytesSql } from "../catalog";
import type { Ctx } from "../context";
import { newId, randomBase62 } from "../crypto/random";
import { insertIf } from "../db/insert-if";
import type { Env } from "../env";
import { requirePrincipal } from "../http/access";
import { AppError, notFound } from "../http/errors";
import type { Principal } from "../http/principal";
import { discardMedia, registerMedia } from "../media";
import { orgAssetBytesSql } from "../projects";
import { freeUploadStorage, PART_SIZE, PartWriter, readPending, sameBytes } from "./storage";
import { type StoredPart, tusUploads } from "./tables";
import { mediaOf, planUpload, scopeOf } from "./targets";

export type UploadRow = typeof tusUploads.$inferSelect;

/** An upload unused this long expires (each PATCH moves it on); a finished one is kept as long for HEAD. */
export const uploadTtlMs = (env: Env) => (Number(env.TUS_UPLOAD_TTL_SECONDS) || 24 * 60 * 60) * 1000;
/** A PATCH's claim; each part it stores renews it, so only a PATCH stalled this long can be taken over. */
export const PATCH_LEASE_MS = 60_000;
/** A verifying upload not picked up by the queue this long lost its message: the job queues it again. */
export const VERIFY_PICKUP_MS = 10 * 60_000;
const DEFAULT_ORG_QUOTA_BYTES = 20 * 1024 ** 3;

/** The caller's own upload: anyone else's, or none, is 404 (the URL is a capability bound to its creator). */
export async function findOwnUpload(ctx: Ctx, { principal, uploadId }: { principal: Principal | undefined; uploadId: string }) {
  const caller = requirePrincipal(principal);
  const [row] = await ctx.db.select().from(tusUploads).where(eq(tusUploads.id, uploadId)).limit(1);
  if (!row || row.createdBy !== caller.userId) throw notFound("Upload");
  requirePrincipal(caller, scopeOf(row.kind));
  return { row, principal: caller };
}

/** HEAD: where to resume (a verifying upload is at its full length). An expired upload is 410; one whose file failed its checks is 422. */
export async function uploadOffset(ctx: Ctx, input: { principal: Principal | undefined; uploadId: string }) {
  const { row } = await findOwnUpload(ctx, input);
  if (row.state === "failed") throw new AppError("unprocessable", row.failure ?? "The upload failed");
  if (row.state === "receiving" && row.expiresAt <= Date.now()) throw new AppError("gone", "This upload has expired; start a new one");
  return row;
}

/** SQL: the bytes an org stores (bundles, assets) plus those of its uploads still receiving or being verified. */
const orgBytesSql = (orgId: string, now: number) =>
  sql<number>`(${orgBundleBytesSql(orgId)} + ${orgAssetBytesSql(orgId)} + (SELECT coalesce(sum(${tusUploads.length}), 0) FROM ${tusUploads} WHERE ${tusUploads.orgId} = ${orgId} AND ((${tusUploads.state} = 'receiving' AND ${tusUploads.expiresAt} > ${now}) OR ${tusUploads.state} = 'verifying')))`;

/**
 * Records the upload only if the org's quota still holds it, counted in the INSERT itself: two
 * uploads created at once cannot both take the last free bytes (a check before the insert could
 * see neither). 413 otherwise.
 */
async function insertUnderQuota(ctx: Ctx, row: UploadRow) {
  const quota = Number(ctx.env.ORG_STORAGE_QUOTA_BYTES) || DEFAULT_ORG_QUOTA_BYTES;
  const inserted = await insertIf(
    ctx.db,
    tusUploads,
    row,
    sql`${orgBytesSql(row.orgId, row.createdAt)} + ${row.length} <= ${quota}`,
  ).returning({
    id: tusUploads.id,
  });
  if (inserted.length) return;
  const used = (await ctx.db.get<{ bytes: number }>(sql`SELECT ${orgBytesSql(row.orgId, row.createdAt)} AS bytes`))?.bytes ?? 0;
  throw new AppError("quota_exceeded", `This upload needs ${row.length} bytes; the org stores ${used} of its ${quota}`);
}

/**
 * POST (creation): checks the target, starts the R2 multipart upload, records the row under the
 * quota, and registers the file's media row `pending` (assets and item images).
 */
export async function createUpload(
  ctx: Ctx,
  {
    principal,
    metadata,
    metadataHeader,
    length,
  }: { principal: Principal | undefined; metadata: Record<string, string>; metadataHeader: string; length: number },
) {
  const caller = requirePrincipal(principal);
  const id = newId("tusUpload");
  const plan = await planUpload(ctx, { principal: caller, metadata, length, uploadId: id });
  const multipart = await ctx.env.BUCKET.createMultipartUpload(plan.r2Key);
  const now = Date.now();
  const row: UploadRow = {
    id,
    orgId: plan.orgId,
    createdBy: caller.userId,
    kind: plan.target.kind,
    target: plan.target,
    metadata: metadataHeader,
    sha256: plan.sha256,
    length,
    offset: 0,
    r2Key: plan.r2Key,
    multipartId: multipart.uploadId,
    parts: [],
    pendingKey: null,
    pendingSize: 0,
    lockToken: null,
    lockedUntil: null,
    state: "receiving",
    failure: null,
    result: null,
    createdAt: now,
    expiresAt: now + uploadTtlMs(ctx.env),
    completedAt: null,
  };
  await insertUnderQuota(ctx, row).catch(async (err: unknown) => {
    await multipart.abort();
    throw err;
  });
  const media = mediaOf(plan.target);
  if (media)
    await registerMedia(ctx, { orgId: plan.orgId, key: plan.r2Key, ...media, size: length, sha256: plan.sha256, state: "pending" });
  return row;
}

export interface PatchInput {
  principal: Principal | undefined;
  uploadId: string;
  offset: number;
  body: ReadableStream<Uint8Array> | null;
  contentLength: number | undefined;
  /** `Upload-Checksum`'s SHA-256 of this PATCH's bytes. */
  checksum: Uint8Array | undefined;
}

/**
 * PATCH: appends the body at `offset`. Without a checksum every full part is recorded as soon as
 * R2 has it, and when the body breaks off (the client went away) the bytes after the last part
 * are saved too, so HEAD offers every byte that arrived. With one, nothing is recorded unless the
 * bytes match. The last byte stores the file and queues its verification (`verifying`).
 */
export async function patchUpload(ctx: Ctx, input: PatchInput): Promise<UploadRow> {
  const { row } = await findOwnUpload(ctx, input);
  if (row.state === "failed") throw new AppError("unprocessable", row.failure ?? "The upload failed");
  if (row.state === "complete" || row.state === "verifying") {
    // A client resending the last (empty) PATCH of a stored file is told it is all there.
    if (input.offset === row.length && !input.contentLength) return row;
    throw new AppError("conflict", `This upload is complete (Upload-Offset ${row.length})`);
  }
  if (row.expiresAt <= Date.now()) throw new AppError("gone", "This upload has expired; start a new one");
  if (input.offset !== row.offset) throw new AppError("conflict", `Upload-Offset must be ${row.offset}, the bytes stored so far`);
  if (input.contentLength !== undefined && row.offset + input.contentLength > row.length) {
    throw new AppError("payload_too_large", `Only ${row.length - row.offset} more bytes fit this upload's Upload-Length`);
  }
  const claimed = await claim(ctx, row);
  const receiving = receive(ctx, { row: claimed, body: input.body, checksum: input.checksum }).catch(async (err: unknown) => {
    // Whatever failed, the claim goes (unless a guarded write already let it go).
    await update(ctx, { row: claimed }, release).catch(() => undefined);
    throw err;
  });
  ctx.waitUntil(receiving.catch(() => undefined));
  return receiving;
}

/** The guarded claim: only at the offset stored, and only when no live lease is held. */
async function claim(ctx: Ctx, row: UploadRow): Promise<UploadRow> {
  const now = Date.now();
  const lockToken = randomBase62(20);
  const [claimed] = await ctx.db
    .update(tusUploads)
    .set({ lockToken, lockedUntil: now + PATCH_LEASE_MS })
    .where(
      and(
        eq(tusUploads.id, row.id),
        eq(tusUploads.state, "receiving"),
        eq(tusUploads.offset, row.offset),
        or(isNull(tusUploads.lockedUntil), lt(tusUploads.lockedUntil, now)),
      ),
    )
    .returning();
  if (!claimed) throw new AppError("conflict", "Another PATCH is writing this upload; resume from HEAD's Upload-Offset");
  return claimed;
}

/** An upload as claimed: its `lock_token` guards every later write. */
export type Held = { row: UploadRow };

/** Writes guarded by the PATCH's (or verification's) claim: one that lost it (its lease ran out and another took over) stops. */
export async function update(ctx: Ctx, { row }: Held, set: Partial<UploadRow>) {
  const [updated] = await ctx.db
    .update(tusUploads)
    .set(set)
    .where(and(eq(tusUploads.id, row.id), eq(tusUploads.lockToken, row.lockToken ?? "")))
    .returning();
  if (!updated) throw new AppError("conflict", "This upload was taken over or terminated while the PATCH ran");
  return updated;
}

export const release = { lockToken: null, lockedUntil: null } as const;

async function receive(
  ctx: Ctx,
  { row, body, checksum }: Held & { body: ReadableStream<Uint8Array> | null; checksum: Uint8Array | undefined },
): Promise<UploadRow> {
  const { env } = ctx;
  const held = { row };
  const multipart = env.BUCKET.resumeMultipartUpload(row.r2Key, row.multipartId);
  let pendingKey = row.pendingKey;
  const recordPart = async (parts: StoredPart[]) => {
    if (checksum) return;
    await update(ctx, held, {
      parts,
      offset: parts.length * PART_SIZE,
      pendingKey: null,
      pendingSize: 0,
      lockedUntil: Date.now() + PATCH_LEASE_MS,
      expiresAt: Date.now() + uploadTtlMs(env),
    });
    if (pendingKey) await env.BUCKET.delete(pendingKey);
    pendingKey = null;
  };
  const writer = new PartWriter(multipart, row.parts, await readPending(env, row.pendingKey, row.pendingSize), recordPart, !!checksum);

  const room = row.length - row.offset;
  let received = 0;
  let failure: AppError | undefined;
  const reader = body?.getReader();
  while (reader) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      // The client went away or the body broke: what arrived is kept (unless it cannot be checked).
      failure = new AppError("invalid_request", "The request body ended early");
      if (checksum) throw failure;
      break;
    }
    if (chunk.done) break;
    const fits = chunk.value.subarray(0, room - received);
    // A failed write throws: the row still says what the last recorded part stored.
    await writer.write(fits);
    received += fits.length;
    if (fits.length < chunk.value.length) {
      failure = new AppError("payload_too_large", `Only ${room} bytes fit this upload's Upload-Length; the rest was not stored`);
      await reader.cancel();
      break;
    }
  }

  if (checksum && !sameBytes(await writer.writtenDigest(), checksum)) {
    throw new AppError("checksum_mismatch", "The bytes do not match Upload-Checksum; nothing of this PATCH was stored");
  }
  const offset = row.offset + received;
  if (offset === row.length) return complete(ctx, held, { writer, pendingKey });

  const newPending = await writer.savePending(env, row.id);
  const saved = await update(ctx, held, {
    parts: writer.parts,
    offset,
    pendingKey: newPending,
    pendingSize: writer.pendingSize,
    expiresAt: Date.now() + uploadTtlMs(env),
    ...release,
  }).catch(async (err: unknown) => {
    // Terminated (or taken over) meanwhile: no row records these bytes, and a termination freed
    // the upload's objects before they were written.
    if (newPending) await env.BUCKET.delete(newPending);
    throw err;
  });
  if (pendingKey && pendingKey !== newPending) await env.BUCKET.delete(pendingKey);
  if (failure) throw failure;
  return saved;
}

/**
 * The last byte arrived: the last part goes up, R2 assembles the file, and the upload is queued
 * (`verifying`, its claim released) for its digest to be checked and the file adopted off this
 * request: reading back a 2 GiB file takes longer than a client waits on one PATCH. A completion
 * cut short is finished by the next PATCH at the full offset (it finds R2's file); a lost message
 * by the `verify-stalled-uploads` job.
 */
async function complete(ctx: Ctx, held: Held, { writer, pendingKey }: { writer: PartWriter; pendingKey: string | null }) {
  const { env } = ctx;
  const { row } = held;
  if (writer.pendingSize > 0 || writer.parts.length === 0) await writer.flush({ last: true });
  await update(ctx, held, {
    parts: writer.parts,
    offset: row.length,
    pendingKey: null,
    pendingSize: 0,
    lockedUntil: Date.now() + PATCH_LEASE_MS,
  });
  if (pendingKey) await env.BUCKET.delete(pendingKey);
  if (!(await env.BUCKET.head(row.r2Key))) await env.BUCKET.resumeMultipartUpload(row.r2Key, row.multipartId).complete(writer.parts);
  const now = Date.now();
  const verifying = await update(ctx, held, {
    state: "verifying",
    lockToken: null,
    lockedUntil: now + VERIFY_PICKUP_MS,
    expiresAt: now + uploadTtlMs(env),
  });
  // Not sent: the job queues it again once VERIFY_PICKUP_MS has passed; the bytes are stored either way.
  await env.UPLOADS_QUEUE.send({ uploadId: row.id }).catch((err: unknown) =>
    ctx.log("warn", "upload verification not queued", { uploadId: row.id, error: String(err) }),
  );
  return verifying;
}

/**
 * DELETE (termination): the row goes, and an unfinished upload's parts and temporary objects with it.
 * A file being verified is not freed under its adoption: 409 until it is complete or failed.
 */
export async function terminateUpload(ctx: Ctx, input: { principal: Principal | undefined; uploadId: string }) {
  const { row } = await findOwnUpload(ctx, input);
  const [deleted] = await ctx.db
    .delete(tusUploads)
    .where(and(eq(tusUploads.id, row.id), ne(tusUploads.state, "verifying")))
    .returning();
  if (!deleted) {
    // Left only if it is verifying (it may have got there since it was read).
    const [kept] = await ctx.db.select({ id: tusUploads.id }).from(tusUploads).where(eq(tusUploads.id, row.id));
    if (kept) throw new AppError("conflict", "This upload's file is being verified; GET its URL for the outcome");
    return;
  }
  if (deleted.state !== "complete") await freeUnfinishedUpload(ctx, deleted);
}

/**
 * What an upload that will never complete holds: its R2 multipart upload and temporary objects,
 * and its file's media row (a completed upload's file belongs to its domain now).
 */
export async function freeUnfinishedUpload(ctx: Pick<Ctx, "db" | "env">, upload: UploadRow) {
  await freeUploadStorage(ctx.env, upload);
  if (mediaOf(upload.target)) await discardMedia(ctx, [upload.r2Key]);
}
