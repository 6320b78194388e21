/**
 * Snapshots of a project's Y.Doc: stored from the room's callbacks, taken on demand (the rooms
 * module asks the live room and hands its state here), listed, inspected and restored. Bytes up to
 * INLINE_SNAPSHOT_MAX_BYTES stay in D1; larger ones go to R2. Every stored snapshot writes
 * `project.snapshot.created` in the same batch.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import type { SnapshotSummaryT } from "../../../shared/projects";
import type { SnapshotReason } from "../../../shared/room-callbacks";
import { auditInsert } from "../audit";
import type { Ctx } from "../context";
import { sha256Hex } from "../crypto/hash";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { insertIf } from "../db/insert-if";
import { afterCursor, newestFirst, pageOf } from "../db/keyset";
import type { Env } from "../env";
import { AppError, notFound } from "../http/errors";
import { enqueueWebhookEvents, webhookEventIf } from "../webhooks";
import type { ProjectAccess, ProjectRow } from "./access";
import { projectPrefix } from "./assets";
import { emptyDocument, inspectSnapshot } from "./inspect";
import { projectSnapshots } from "./tables";

/** Larger snapshots go to R2: D1 rows stay small (D1 caps a row at 2 MB). */
export const INLINE_SNAPSHOT_MAX_BYTES = 256 * 1024;

type SnapshotRow = typeof projectSnapshots.$inferSelect;
const summaryColumns = {
  id: projectSnapshots.id,
  projectId: projectSnapshots.projectId,
  reason: projectSnapshots.reason,
  sizeBytes: projectSnapshots.sizeBytes,
  sha256: projectSnapshots.sha256,
  createdAt: projectSnapshots.createdAt,
};

export interface StoreSnapshotInput {
  project: Pick<ProjectRow, "id" | "orgId">;
  /** A Y.js update (`Y.encodeStateAsUpdate`). */
  bytes: Uint8Array;
  reason: SnapshotReason;
  /** Store nothing when the bytes equal the project's latest snapshot (the room's auto saves). */
  dedupe: boolean;
}

/** Stores `bytes` as a snapshot of `project`; answers its id and whether it is new. */
export async function storeSnapshot(ctx: Ctx, { project, bytes, reason, dedupe }: StoreSnapshotInput) {
  const { db, env } = ctx;
  const id = newId("projectSnapshot");
  const sha256 = await sha256Hex(bytes);
  const previous = await latestSnapshot(db, project.id);
  if (dedupe && previous?.sha256 === sha256) return { id: previous.id, created: false };
  // Strictly after the latest, so "latest" never depends on how ids of the same millisecond sort.
  const now = Math.max(Date.now(), (previous?.createdAt ?? 0) + 1);
  const r2Key = bytes.byteLength > INLINE_SNAPSHOT_MAX_BYTES ? `${projectPrefix(project.id)}snapshots/${id}` : null;
  if (r2Key) await env.BUCKET.put(r2Key, bytes, { sha256, httpMetadata: { contentType: "application/octet-stream" } });

  const row: SnapshotRow = {
    id,
    projectId: project.id,
    orgId: project.orgId,
    reason,
    sizeBytes: bytes.byteLength,
    sha256,
    body: r2Key ? null : Buffer.from(bytes),
    r2Key,
    createdAt: now,
  };
  const latestSha = sql`(SELECT s.sha256 FROM project_snapshots s WHERE s.project_id = ${project.id} ORDER BY s.created_at DESC, s.id DESC LIMIT 1)`;
  // Decided inside the batch, so two identical saves racing each other store one snapshot.
  const condition = and(
    sql`EXISTS (SELECT 1 FROM projects p WHERE p.id = ${project.id})`,
    dedupe ? sql`${latestSha} IS NOT ${sha256}` : undefined,
  )!;
  const event = await webhookEventIf(
    db,
    project.orgId,
    "project.snapshot.created",
    { projectId: project.id, snapshotId: id, reason, sizeBytes: row.sizeBytes, sha256, createdAt: now },
    sql`EXISTS (SELECT 1 FROM project_snapshots s WHERE s.id = ${id})`,
    { cause: id, now },
  );
  const [inserted] = await db.batch([insertIf(db, projectSnapshots, row, condition).returning({ id: projectSnapshots.id }), event.insert]);
  if (inserted.length > 0) {
    await enqueueWebhookEvents(env, [event.id]);
    return { id, created: true };
  }
  if (r2Key) await env.BUCKET.delete(r2Key);
  const latest = await latestSnapshot(db, project.id);
  if (!latest) throw notFound("Project");
  return { id: latest.id, created: false };
}

async function latestSnapshot(db: Db, projectId: string): Promise<SnapshotRow | undefined> {
  const [row] = await db
    .select()
    .from(projectSnapshots)
    .where(eq(projectSnapshots.projectId, projectId))
    .orderBy(desc(projectSnapshots.createdAt), desc(projectSnapshots.id))
    .limit(1);
  return row;
}

/** A snapshot's bytes, from D1 or R2. */
async function snapshotBytes(env: Env, row: SnapshotRow): Promise<Uint8Array> {
  if (row.body) return new Uint8Array(row.body);
  const object = row.r2Key ? await env.BUCKET.get(row.r2Key) : null;
  if (!object) throw new AppError("internal_error", "A snapshot's bytes are missing");
  return new Uint8Array(await object.arrayBuffer());
}

/** The bytes of the project's newest snapshot (what a room with empty storage loads), streamed from R2 when they are there; null if it has none. */
export async function latestSnapshotContent(
  ctx: Ctx,
  projectId: string,
): Promise<{ body: ReadableStream | Uint8Array; size: number } | null> {
  const latest = await latestSnapshot(ctx.db, projectId);
  if (!latest) return null;
  if (latest.r2Key) {
    const object = await ctx.env.BUCKET.get(latest.r2Key);
    if (object) return { body: object.body, size: object.size };
  }
  const bytes = await snapshotBytes(ctx.env, latest);
  return { body: bytes, size: bytes.byteLength };
}

/** Newest first, keyset-paginated on (created_at, id). */
export async function listSnapshots(ctx: Ctx, { projectId, limit, cursor }: { projectId: string; limit: number; cursor?: string }) {
  const rows: SnapshotSummaryT[] = await ctx.db
    .select(summaryColumns)
    .from(projectSnapshots)
    .where(and(eq(projectSnapshots.projectId, projectId), afterCursor(projectSnapshots, cursor)))
    .orderBy(...newestFirst(projectSnapshots))
    .limit(limit + 1);
  const { page, nextCursor } = pageOf(rows, limit, (r) => r);
  return { snapshots: page, nextCursor };
}

/** One snapshot of this project (another project's id is 404). */
async function findSnapshot(db: Db, projectId: string, snapshotId: string) {
  const [row] = await db
    .select()
    .from(projectSnapshots)
    .where(and(eq(projectSnapshots.id, snapshotId), eq(projectSnapshots.projectId, projectId)))
    .limit(1);
  if (!row) throw notFound("Snapshot");
  return row;
}

const toSummary = (row: SnapshotRow): SnapshotSummaryT => ({
  id: row.id,
  projectId: row.projectId,
  reason: row.reason,
  sizeBytes: row.sizeBytes,
  sha256: row.sha256,
  createdAt: row.createdAt,
});

export async function inspect(ctx: Ctx, { projectId, snapshotId }: { projectId: string; snapshotId: string }) {
  const row = await findSnapshot(ctx.db, projectId, snapshotId);
  const content = inspectSnapshot(await snapshotBytes(ctx.env, row));
  if (!content) throw new AppError("unprocessable", "This snapshot cannot be decoded as a Y.js document");
  return { ...toSummary(row), content };
}

/**
 * A manual snapshot of the live document (`live`: what the room answered). A room with nothing
 * loaded (null) gets the latest stored state copied (an empty document if there is none).
 */
export async function saveManualSnapshot(ctx: Ctx, { access, live }: { access: ProjectAccess; live: Uint8Array | null }) {
  let bytes = live;
  if (!bytes) {
    const latest = await latestSnapshot(ctx.db, access.project.id);
    bytes = latest ? await snapshotBytes(ctx.env, latest) : emptyDocument();
  }
  const { id } = await storeSnapshot(ctx, { project: access.project, bytes, reason: "manual", dedupe: false });
  return toSummary(await findSnapshot(ctx.db, access.project.id, id));
}

/** The bytes of one of the project's snapshots, to be restored (another project's snapshot id is 404). */
export async function snapshotToRestore(ctx: Ctx, { projectId, snapshotId }: { projectId: string; snapshotId: string }) {
  return snapshotBytes(ctx.env, await findSnapshot(ctx.db, projectId, snapshotId));
}

/** Audits a restore the room carried out; answers when it was restored. */
export async function recordSnapshotRestored(ctx: Ctx, { access, snapshotId }: { access: ProjectAccess; snapshotId: string }) {
  const restoredAt = Date.now();
  await auditInsert(ctx, {
    action: "project.snapshot_restored",
    orgId: access.orgId,
    actorUserId: access.principal.userId,
    targetType: "project",
    targetId: access.project.id,
    metadata: { snapshotId },
  });
  return { snapshotId, restoredAt };
}
