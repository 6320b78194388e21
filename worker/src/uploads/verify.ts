/**
 * The `plaza-uploads` consumer: an upload whose last byte is stored (`verifying`) has its whole
 * file's SHA-256 streamed through a DigestStream and compared with the declared one (a mismatch
 * deletes the file: `failed`, 422 on its status), then the domain it is for adopts it (`complete`).
 * Each delivery first claims the upload with a lease, as a PATCH does, so a duplicate does nothing.
 */
import { and, eq, isNull, lt, or } from "drizzle-orm";
import { identityUser, identityUserSql } from "../auth";
import { backgroundContext, type Ctx } from "../context";
import { randomBase62 } from "../crypto/random";
import type { Env, UploadQueueMessage } from "../env";
import { AppError } from "../http/errors";
import type { Principal } from "../http/principal";
import { type ConsumerPolicy, consumeEach } from "../http/queue-consumer";
import { mediaFailed } from "../media";
import type { Runtime } from "../module";
import { membershipsJsonSql } from "../orgs";
import { type Held, release, type UploadRow, update, uploadTtlMs, VERIFY_PICKUP_MS } from "./service";
import { storedSha256 } from "./storage";
import { tusUploads } from "./tables";
import { adoptUpload, mediaOf, scopeOf } from "./targets";

/** Verifying reads the whole file (and may copy a bundle): the lease outlasts that, even for 2 GiB. */
export const VERIFY_LEASE_MS = 15 * 60_000;

export const VERIFY_FAILURES = {
  missing: "The assembled file is missing; start a new upload",
  uploaderGone: "The account that uploaded this file no longer exists",
  notStored: "The file could not be stored",
  unverifiable: "The file could not be verified; start a new upload",
} as const;

const UPLOADS_QUEUE: ConsumerPolicy<UploadQueueMessage> = {
  queue: "plaza-uploads",
  retry: { baseSeconds: 10, maxSeconds: 300, jitter: 0.2 },
  about: (body) => ({ uploadId: body.uploadId }),
};

const UPLOADS_DEAD_LETTERS: ConsumerPolicy<UploadQueueMessage> = {
  queue: "plaza-uploads-dlq",
  retry: { baseSeconds: 10, maxSeconds: 300, jitter: 0.2 },
  about: (body) => ({ uploadId: body.uploadId }),
};

export async function consumeUploads(batch: MessageBatch<UploadQueueMessage>, env: Env, runtime: Runtime) {
  const ctx = backgroundContext(env, { requestId: `uploads_${Date.now()}`, handlers: runtime.events });
  await consumeEach(batch, UPLOADS_QUEUE, (body) => verifyUpload(ctx, body.uploadId));
}

/** Messages that exhausted their retries: the upload is `failed` (422 on its status), so its client stops waiting. */
export async function consumeUploadDeadLetters(batch: MessageBatch<UploadQueueMessage>, env: Env, runtime: Runtime) {
  const ctx = backgroundContext(env, { requestId: `uploads-dlq_${Date.now()}`, handlers: runtime.events });
  await ctx.events.emit("queue.dead_lettered", batch);
  await consumeEach(batch, UPLOADS_DEAD_LETTERS, (body) => failUnverifiable(ctx, body.uploadId));
}

/**
 * Verifies and adopts one upload if it is `verifying` and no live lease holds it; an upload already
 * complete, failed, gone or held by another delivery is left alone. A failure that may pass (R2 or D1
 * unavailable) lets the lease go and throws, so the queue's retry claims it again at once.
 */
export async function verifyUpload(ctx: Ctx, uploadId: string): Promise<void> {
  const now = Date.now();
  const [row] = await ctx.db
    .update(tusUploads)
    .set({ lockToken: randomBase62(20), lockedUntil: now + VERIFY_LEASE_MS })
    .where(
      and(
        eq(tusUploads.id, uploadId),
        eq(tusUploads.state, "verifying"),
        or(isNull(tusUploads.lockToken), lt(tusUploads.lockedUntil, now)),
      ),
    )
    .returning();
  if (!row) return;
  const held = { row };
  try {
    await verifyAndAdopt(ctx, held);
  } catch (err) {
    await update(ctx, held, { lockToken: null, lockedUntil: Date.now() + VERIFY_PICKUP_MS }).catch(() => undefined);
    throw err;
  }
}

async function verifyAndAdopt(ctx: Ctx, held: Held) {
  const { env } = ctx;
  const { row } = held;
  const sha256 = await storedSha256(env, row.r2Key);
  if (!sha256) return fail(ctx, held, VERIFY_FAILURES.missing);
  if (row.sha256 && sha256 !== row.sha256) {
    await env.BUCKET.delete(row.r2Key);
    return fail(ctx, held, `The file's SHA-256 is ${sha256}, not the declared ${row.sha256}; it was deleted`);
  }
  const principal = await uploaderPrincipal(ctx, row);
  if (!principal) return fail(ctx, held, VERIFY_FAILURES.uploaderGone);
  let result: Record<string, unknown>;
  try {
    result = await adoptUpload(ctx, { principal, target: row.target, r2Key: row.r2Key, size: row.length, sha256 });
  } catch (err) {
    // The target refused it (e.g. the version was published meanwhile, the role is gone): it deleted the bytes.
    return fail(ctx, held, err instanceof AppError ? err.message : VERIFY_FAILURES.notStored);
  }
  const now = Date.now();
  await update(ctx, held, { state: "complete", result, completedAt: now, expiresAt: now + uploadTtlMs(env), ...release });
}

/** Ends the held upload `failed` with `reason` (its status then answers 422), and its file's media row with it. */
async function fail(ctx: Ctx, held: Held, reason: string) {
  const { row } = held;
  await update(ctx, held, { state: "failed", failure: reason, expiresAt: Date.now() + uploadTtlMs(ctx.env), ...release });
  if (mediaOf(row.target)) await mediaFailed(ctx, { key: row.r2Key, reason });
}

/** A verifying upload whose message went to the dead-letter queue: `failed`, whoever holds it. */
export async function failUnverifiable(ctx: Ctx, uploadId: string) {
  const [row] = await ctx.db
    .update(tusUploads)
    .set({ state: "failed", failure: VERIFY_FAILURES.unverifiable, expiresAt: Date.now() + uploadTtlMs(ctx.env), ...release })
    .where(and(eq(tusUploads.id, uploadId), eq(tusUploads.state, "verifying")))
    .returning();
  if (row && mediaOf(row.target)) await mediaFailed(ctx, { key: row.r2Key, reason: VERIFY_FAILURES.unverifiable });
}

/**
 * The uploader as they are now, to adopt the file as: memberships read afresh (a role lost since the
 * upload began refuses it), narrowed like a token to the one scope its kind needs. The credential
 * itself was checked by every PATCH; none is at hand off the request. Undefined if the account is gone.
 */
async function uploaderPrincipal(ctx: Ctx, row: UploadRow): Promise<Principal | undefined> {
  const [found] = await ctx.db
    .select({ user: identityUserSql(tusUploads.createdBy), memberships: membershipsJsonSql(tusUploads.createdBy) })
    .from(tusUploads)
    .where(eq(tusUploads.id, row.id));
  if (!found?.user) return undefined;
  return {
    kind: "api_token",
    userId: row.createdBy,
    tokenId: `upload:${row.id}`,
    scopes: [scopeOf(row.kind)],
    user: identityUser(found.user),
    memberships: JSON.parse(found.memberships),
  };
}
