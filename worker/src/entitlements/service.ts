import { and, eq, gt, inArray, isNull, lt, ne, or, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { EntitlementSource, EntitlementT, MyEntitlementT } from "../../../shared/catalog";
import { auditInsert } from "../audit";
import { accountExists } from "../auth";
import { findItem, findItemBySlug, findVisibleItemBySlug, itemNameSql, itemSlugSql } from "../catalog";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { afterCursor, newestFirst, pageOf } from "../db/keyset";
import { AppError, notFound } from "../http/errors";
import { enqueueWebhookEvents } from "../webhooks";
import { claimWouldGrant, entitlementIsActive } from "./conditions";
import type { EndedEntitlement } from "./events";
import { entitlements } from "./tables";
import { entitlementEvent } from "./webhook-events";

export type EntitlementRow = typeof entitlements.$inferSelect;

export interface GrantInput {
  itemId: string;
  userId: string;
  source: EntitlementSource;
  /** The order, subscription or grant reason behind it. */
  reference?: string | null;
  grantedBy?: string | null;
  expiresAt?: number | null;
  /** `expiresAt` replaces the row's even when shorter: the source changed its term (a subscription's plan change). */
  exactExpiry?: boolean;
  now?: number;
}

/** Active and not expired at `now`: what gives access. */
export const isEffectiveAt = (e: Pick<EntitlementRow, "status" | "expiresAt">, now: number) =>
  e.status === "active" && (e.expiresAt === null || e.expiresAt > now);

/** An `active` row past its expiry is reported as `expired`; nothing rewrites it in D1. */
export function toEntitlement(row: EntitlementRow, now = Date.now()): EntitlementT {
  const lapsed = row.status === "active" && row.expiresAt !== null && row.expiresAt <= now;
  return {
    id: row.id,
    itemId: row.itemId,
    userId: row.userId,
    orgId: null,
    source: row.source,
    status: lapsed ? "expired" : row.status,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
  };
}

const isEffective = (now: number): SQL =>
  and(eq(entitlements.status, "active"), or(isNull(entitlements.expiresAt), gt(entitlements.expiresAt, now)))!;

/** Statements for another domain's `db.batch`, and the webhook events to queue once it ran. */
export interface EntitlementStatements {
  statements: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];
  webhookEventIds: string[];
}

type EntitlementKey = { userId: string; itemId: string; source: EntitlementSource };

const keyOf = (target: EntitlementKey) =>
  and(eq(entitlements.userId, target.userId), eq(entitlements.itemId, target.itemId), eq(entitlements.source, target.source));

async function findByKey(db: Db, target: EntitlementKey) {
  const [row] = await db.select().from(entitlements).where(keyOf(target)).limit(1);
  return row;
}

/** An entitlement by id, in any state. */
export async function findEntitlement(db: Db, entitlementId: string): Promise<EntitlementRow | undefined> {
  const [row] = await db.select().from(entitlements).where(eq(entitlements.id, entitlementId)).limit(1);
  return row;
}

/** The user's entitlements in any state, to one item or to all. */
export async function entitlementsOf(db: Db, userId: string, itemId?: string): Promise<EntitlementRow[]> {
  return db
    .select()
    .from(entitlements)
    .where(and(eq(entitlements.userId, userId), itemId === undefined ? undefined : eq(entitlements.itemId, itemId)));
}

/**
 * Batchable statements that give `userId` the item from `source`, for other domains to put in their
 * own `db.batch` (checkout fulfilment, subscriptions). The statement at `claimAt` is the claim and
 * returns the entitlement row. Idempotent: one row per (user, item, source); claiming an effective
 * one again changes nothing but may extend its expiry; claiming a revoked or lapsed one reactivates
 * it, and what `entitlements.granted` handlers return follows the claim (a buyer's review, uncounted
 * when it ended, counts again). `entitlement.granted` is written only when the claim gives access
 * the user did not have.
 */
export async function grantEntitlementStatements(
  ctx: Pick<Ctx, "db" | "events">,
  input: GrantInput,
): Promise<EntitlementStatements & { claimAt: number }> {
  const { db } = ctx;
  const now = input.now ?? Date.now();
  // The row a claim lands on keeps its id, so the event can name it before the claim runs.
  const id = (await findByKey(db, input))?.id ?? newId("entitlement");
  const expiresAt = input.expiresAt ?? null;
  // Inside DO UPDATE, bare `entitlements.*` is the existing row and `excluded.*` the new claim.
  const stillEffective = sql`(entitlements.status = 'active' AND (entitlements.expires_at IS NULL OR entitlements.expires_at > ${now}))`;
  const claim = db
    .insert(entitlements)
    .values({
      id,
      itemId: input.itemId,
      userId: input.userId,
      source: input.source,
      status: "active",
      reference: input.reference ?? null,
      grantedBy: input.grantedBy ?? null,
      expiresAt,
      createdAt: now,
    })
    .onConflictDoUpdate({
      target: [entitlements.userId, entitlements.itemId, entitlements.source],
      set: {
        status: "active",
        revokedAt: null,
        // Never shortens an effective entitlement (unless told the term changed); null means it does not expire.
        expiresAt: input.exactExpiry
          ? sql`excluded.expires_at`
          : sql`CASE WHEN ${stillEffective} THEN
            (CASE WHEN entitlements.expires_at IS NULL OR excluded.expires_at IS NULL THEN NULL ELSE max(entitlements.expires_at, excluded.expires_at) END)
          ELSE excluded.expires_at END`,
        reference: sql`CASE WHEN ${stillEffective} THEN entitlements.reference ELSE excluded.reference END`,
        grantedBy: sql`CASE WHEN ${stillEffective} THEN entitlements.granted_by ELSE excluded.granted_by END`,
      },
    })
    .returning();
  const reactions = await ctx.events.emit("entitlements.granted", {
    entitlements: [{ id, userId: input.userId, itemId: input.itemId, source: input.source }],
    now,
  });
  // Before the claim: it asks whether the user lacked access, which the claim then gives. A claim
  // whose expiry already passed (a sync after the grace period) gives nothing.
  const event =
    expiresAt === null || expiresAt > now
      ? await entitlementEvent(db, {
          type: "entitlement.granted",
          entitlement: { id, itemId: input.itemId, userId: input.userId, source: input.source, status: "active", expiresAt },
          condition: claimWouldGrant(input, id, now),
          now,
        })
      : undefined;
  return event
    ? { statements: [event.insert, claim, ...reactions], claimAt: 1, webhookEventIds: [event.id] }
    : { statements: [claim, ...reactions], claimAt: 0, webhookEventIds: [] };
}

/**
 * Announces that `ended` ends: the statements `entitlements.revoked` handlers return, to follow
 * the change in its batch, and the webhook events they write beside `webhookEventIds`.
 */
async function announceEnded(ctx: Pick<Ctx, "events">, ended: EndedEntitlement, now: number, webhookEventIds: string[]) {
  const reactions = await ctx.events.emit("entitlements.revoked", { entitlements: [ended], now, webhookEventIds });
  return { reactions, webhookEventIds };
}

const endedOf = (row: EntitlementRow, status: EndedEntitlement["status"]): EndedEntitlement => ({
  id: row.id,
  userId: row.userId,
  itemId: row.itemId,
  source: row.source,
  status,
});

/**
 * Batchable statements that end the user's entitlement to the item from `source` (a refund, an
 * ended subscription), followed by what `entitlements.revoked` handlers return (the rating leaves
 * the aggregate if no other buyer entitlement remains, the keys are revoked). Guarded by the row's
 * state, so running them twice changes nothing more; the `entitlement.revoked` event is written
 * only if the entitlement was still active.
 */
export async function revokeEntitlementStatements(
  ctx: Pick<Ctx, "db" | "events">,
  target: EntitlementKey & { now?: number },
): Promise<EntitlementStatements> {
  const { db } = ctx;
  const now = target.now ?? Date.now();
  const row = await findByKey(db, target);
  const revoke = db
    .update(entitlements)
    .set({ status: "revoked", revokedAt: now })
    .where(and(keyOf(target), ne(entitlements.status, "revoked")));
  if (!row) return { statements: [revoke], webhookEventIds: [] };
  // Before the update, which makes the row revoked whatever it was.
  const event = await revokedEvent(db, row, now);
  const { reactions, webhookEventIds } = await announceEnded(ctx, endedOf(row, "revoked"), now, [event.id]);
  return { statements: [event.insert, revoke, ...reactions], webhookEventIds };
}

/**
 * Batchable statements that give back an entitlement a refund revoked (when Stripe reports the
 * refund failed) or a dispute froze (`from: "disputed"`, when the seller won it): only the row of
 * `reference` (the order) in that state is claimed again, with its expiry, through the grant (so
 * `entitlement.granted` and what `entitlements.granted` handlers return follow). Nothing when the
 * row is active, of another order, or missing, so running it twice changes nothing.
 */
export async function restoreEntitlementStatements(
  ctx: Pick<Ctx, "db" | "events">,
  target: EntitlementKey & { reference: string; from?: "revoked" | "disputed"; now?: number },
): Promise<{ statements: BatchItem<"sqlite">[]; webhookEventIds: string[] }> {
  const row = await findByKey(ctx.db, target);
  if (row?.status !== (target.from ?? "revoked") || row.reference !== target.reference) return { statements: [], webhookEventIds: [] };
  return grantEntitlementStatements(ctx, { ...target, grantedBy: row.grantedBy, expiresAt: row.expiresAt });
}

/**
 * Batchable statements that freeze the user's active entitlement of `reference` (the order) while
 * its payment is disputed: `disputed` gives no access, announced as `entitlement.revoked` with that
 * status, followed by what `entitlements.revoked` handlers return. Guarded by the row's state and by
 * `onlyIf` (the dispute is still open when the batch runs), so running them twice, or after the
 * dispute closed, changes nothing more; `restoreEntitlementStatements` with `from: "disputed"` ends it.
 */
export async function disputeEntitlementStatements(
  ctx: Pick<Ctx, "db" | "events">,
  target: EntitlementKey & { reference: string; onlyIf: SQL; now?: number },
): Promise<{ statements: BatchItem<"sqlite">[]; webhookEventIds: string[] }> {
  const { db } = ctx;
  const now = target.now ?? Date.now();
  const row = await findByKey(db, target);
  if (row?.status !== "active" || row.reference !== target.reference) return { statements: [], webhookEventIds: [] };
  // Before the update, which makes the row disputed.
  const event = await entitlementEvent(db, {
    type: "entitlement.revoked",
    entitlement: { ...row, status: "disputed" },
    condition: and(entitlementIsActive(row.id), target.onlyIf)!,
    now,
  });
  const { reactions, webhookEventIds } = await announceEnded(ctx, endedOf(row, "disputed"), now, [event.id]);
  const freeze = db
    .update(entitlements)
    .set({ status: "disputed" })
    .where(and(eq(entitlements.id, row.id), eq(entitlements.status, "active"), target.onlyIf));
  return { statements: [event.insert, freeze, ...reactions], webhookEventIds };
}

/** `entitlement.revoked` for a row being revoked, written only if it was still active. */
const revokedEvent = (db: Db, row: EntitlementRow, now: number) =>
  entitlementEvent(db, {
    type: "entitlement.revoked",
    entitlement: { ...row, status: "revoked" },
    condition: entitlementIsActive(row.id),
    now,
  });

/** The user's effective (active, unexpired) entitlement to the item, from one of `sources` if given. */
export async function findActiveEntitlement(db: Db, userId: string, itemId: string, sources?: readonly EntitlementSource[]) {
  const [row] = await db
    .select()
    .from(entitlements)
    .where(
      and(
        eq(entitlements.userId, userId),
        eq(entitlements.itemId, itemId),
        isEffective(Date.now()),
        sources ? inArray(entitlements.source, [...sources]) : undefined,
      ),
    )
    .limit(1);
  return row;
}

/**
 * Ends an entitlement (operators call this). One batch revokes it and runs what the
 * `entitlements.revoked` handlers return (the holder's rating leaves the aggregate if they hold no
 * other buyer entitlement, the keys issued on it are revoked); the statements' own conditions make
 * a second revocation change nothing.
 */
export async function revokeEntitlement(
  ctx: Ctx,
  { entitlementId, reason, actorUserId = null }: { entitlementId: string; reason: string; actorUserId?: string | null },
): Promise<EntitlementT> {
  const { db } = ctx;
  const row = await findEntitlement(db, entitlementId);
  if (!row) throw notFound("Entitlement");
  if (row.status === "revoked") return toEntitlement(row);
  const found = await findItem(db, row.itemId);
  const now = Date.now();
  // Before the update; an `expired` row being revoked already had its event.
  const event = await revokedEvent(db, row, now);
  const { reactions, webhookEventIds } = await announceEnded(ctx, endedOf(row, "revoked"), now, [event.id]);
  await db.batch([
    event.insert,
    db
      .update(entitlements)
      .set({ status: "revoked", revokedAt: now })
      .where(and(eq(entitlements.id, entitlementId), ne(entitlements.status, "revoked"))),
    ...reactions,
    auditInsert(ctx, {
      action: "entitlement.revoked",
      orgId: found?.item.orgId ?? null,
      actorUserId,
      targetType: "entitlement",
      targetId: entitlementId,
      metadata: { reason, itemId: row.itemId, userId: row.userId, source: row.source },
    }),
  ]);
  await enqueueWebhookEvents(ctx.env, webhookEventIds);
  return toEntitlement({ ...row, status: "revoked", revokedAt: now });
}

/**
 * Entitlements whose expiry passed become `expired`, each in its own batch with what the
 * `entitlements.revoked` handlers return (a buyer left with no other entitlement to the item stops
 * counting in its rating). The org owning the item gets `entitlement.revoked` with status `expired`.
 * Answers the webhook events to queue.
 */
export async function expireLapsedEntitlements(ctx: Ctx, { now, limit }: { now: number; limit: number }) {
  const { db } = ctx;
  const lapsed = await db
    .select()
    .from(entitlements)
    .where(and(eq(entitlements.status, "active"), lt(entitlements.expiresAt, now)))
    .limit(limit);
  const eventIds: string[] = [];
  for (const e of lapsed) {
    // Both guarded on the expiry too: a renewal that extended it since the select wins.
    const event = await entitlementEvent(db, {
      type: "entitlement.revoked",
      entitlement: { ...e, status: "expired" },
      condition: entitlementIsActive(e.id, now),
      now,
    });
    const { reactions, webhookEventIds } = await announceEnded(ctx, endedOf(e, "expired"), now, [event.id]);
    await db.batch([
      event.insert,
      db
        .update(entitlements)
        .set({ status: "expired" })
        .where(and(eq(entitlements.id, e.id), eq(entitlements.status, "active"), lt(entitlements.expiresAt, now))),
      ...reactions,
    ]);
    eventIds.push(...webhookEventIds);
  }
  await enqueueWebhookEvents(ctx.env, eventIds);
  return lapsed.length;
}

/** "Get" a free item: claims a `free` entitlement. `created` is false when one was already held. */
export async function getFreeItem(ctx: Ctx, { userId, slug }: { userId: string; slug: string }) {
  const { db } = ctx;
  const { item } = await findVisibleItemBySlug(db, slug);
  if (!item.isFree) throw new AppError("conflict", "This item is paid; buy it through checkout");
  const held = await findActiveEntitlement(db, userId, item.id, ["free"]);
  if (held) return { entitlement: toEntitlement(held), created: false };
  const grant = await grantEntitlementStatements(ctx, { itemId: item.id, userId, source: "free" });
  const results = await db.batch(grant.statements);
  await enqueueWebhookEvents(ctx.env, grant.webhookEventIds);
  return { entitlement: toEntitlement((results[grant.claimAt] as EntitlementRow[])[0]!), created: true };
}

export interface OperatorGrantInput {
  itemId?: string;
  itemSlug?: string;
  userId: string;
  reason: string;
  expiresAt?: number;
}

/** An operator's grant: any existing item, any user; the reason goes to the entitlement and the audit log. */
export async function operatorGrant(
  ctx: Ctx,
  { operatorId, input }: { operatorId: string; input: OperatorGrantInput },
): Promise<EntitlementT> {
  const { db } = ctx;
  const now = Date.now();
  if (input.expiresAt !== undefined && input.expiresAt <= now) {
    throw new AppError("invalid_request", "expiresAt must be in the future", { fields: { "body.expiresAt": ["must be in the future"] } });
  }
  const item = input.itemId ? (await findItem(db, input.itemId))?.item : await findItemBySlug(db, input.itemSlug!);
  if (!item) throw notFound("Item");
  if (!(await accountExists(db, input.userId))) throw notFound("User");
  const grant = await grantEntitlementStatements(ctx, {
    itemId: item.id,
    userId: input.userId,
    source: "grant",
    reference: input.reason,
    grantedBy: operatorId,
    expiresAt: input.expiresAt,
    now,
  });
  const results = await db.batch([
    ...grant.statements,
    auditInsert(ctx, {
      action: "entitlement.granted",
      orgId: item.orgId,
      actorUserId: operatorId,
      targetType: "item",
      targetId: item.id,
      metadata: { reason: input.reason, userId: input.userId, expiresAt: input.expiresAt ?? null },
    }),
  ]);
  await enqueueWebhookEvents(ctx.env, grant.webhookEventIds);
  return toEntitlement((results[grant.claimAt] as EntitlementRow[])[0]!, now);
}

/** The caller's own entitlements with the item's slug and name, newest first, keyset-paginated. */
export async function listMyEntitlements(ctx: Ctx, { userId, limit, cursor }: { userId: string; limit: number; cursor?: string }) {
  const rows = await ctx.db
    .select({ entitlement: entitlements, itemSlug: itemSlugSql(entitlements.itemId), itemName: itemNameSql(entitlements.itemId) })
    .from(entitlements)
    .where(and(eq(entitlements.userId, userId), afterCursor(entitlements, cursor)))
    .orderBy(...newestFirst(entitlements))
    .limit(limit + 1);
  const now = Date.now();
  const { page, nextCursor } = pageOf(rows, limit, (r) => r.entitlement);
  const data: MyEntitlementT[] = page.map((r) => ({ ...toEntitlement(r.entitlement, now), itemSlug: r.itemSlug, itemName: r.itemName }));
  return { data, nextCursor };
}
