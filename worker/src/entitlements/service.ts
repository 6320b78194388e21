import { and, eq, gt, inArray, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { EntitlementSource, EntitlementT, MyEntitlementT } from "../../../shared/catalog";
import { auditInsert } from "../audit";
import { findVisibleItemBySlug } from "../catalog/queries";
import type { RequestMeta } from "../context";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { afterCursor, newestFirst, pageOf } from "../db/keyset";
import { entitlements, items, users } from "../db/schema";
import type { Env } from "../env";
import { AppError, notFound } from "../http/errors";
import { revokeEntitlementLicenses } from "../licenses/issuance";
import { recountIfBuyer, uncountIfNoLongerBuyer } from "../reviews/aggregate";
import { entitlementEvent } from "../webhooks/domain-events";
import { enqueueWebhookEvents } from "../webhooks/outbox";
import { claimWouldGrant, entitlementIsActive } from "./conditions";

type EntitlementRow = typeof entitlements.$inferSelect;

export interface GrantInput {
  itemId: string;
  userId: string;
  source: EntitlementSource;
  /** The order, subscription or grant reason behind it. */
  reference?: string | null;
  grantedBy?: string | null;
  expiresAt?: number | null;
}

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

const keyOf = (target: { userId: string; itemId: string; source: EntitlementSource }) =>
  and(eq(entitlements.userId, target.userId), eq(entitlements.itemId, target.itemId), eq(entitlements.source, target.source));

/**
 * Batchable statements that give `userId` the item from `source`, for other domains to put in their
 * own `db.batch` (checkout fulfilment, subscriptions). The statement at `claimAt` is the claim and
 * returns the entitlement row. Idempotent: one row per (user, item, source); claiming an effective
 * one again changes nothing but may extend its expiry; claiming a revoked or lapsed one reactivates
 * it, and a buyer's review, uncounted when it ended, counts again. `entitlement.granted` is written
 * only when the claim gives access the user did not have.
 */
export async function grantEntitlementStatements(
  db: Db,
  input: GrantInput,
  now = Date.now(),
): Promise<EntitlementStatements & { claimAt: number }> {
  // The row a claim lands on keeps its id, so the event can name it before the claim runs.
  const existing = await db.query.entitlements.findFirst({ columns: { id: true }, where: keyOf(input) });
  const id = existing?.id ?? newId("entitlement");
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
        // Never shortens an effective entitlement; null means it does not expire.
        expiresAt: sql`CASE WHEN ${stillEffective} THEN
            (CASE WHEN entitlements.expires_at IS NULL OR excluded.expires_at IS NULL THEN NULL ELSE max(entitlements.expires_at, excluded.expires_at) END)
          ELSE excluded.expires_at END`,
        reference: sql`CASE WHEN ${stillEffective} THEN entitlements.reference ELSE excluded.reference END`,
        grantedBy: sql`CASE WHEN ${stillEffective} THEN entitlements.granted_by ELSE excluded.granted_by END`,
      },
    })
    .returning();
  const recount: BatchItem<"sqlite">[] = input.source === "grant" ? [] : [...recountIfBuyer(db, input.itemId, input.userId, now)];
  // Before the claim: it asks whether the user lacked access, which the claim then gives. A claim
  // whose expiry already passed (a sync after the grace period) gives nothing.
  const event =
    expiresAt === null || expiresAt > now
      ? await entitlementEvent(
          db,
          "entitlement.granted",
          { id, itemId: input.itemId, userId: input.userId, source: input.source, status: "active", expiresAt },
          claimWouldGrant(input, id, now),
          now,
        )
      : undefined;
  return event
    ? { statements: [event.insert, claim, ...recount], claimAt: 1, webhookEventIds: [event.id] }
    : { statements: [claim, ...recount], claimAt: 0, webhookEventIds: [] };
}

/**
 * Batchable statements that end the user's entitlement to the item from `source` (a refund, an
 * ended subscription) and, if no other buyer entitlement remains, take their rating out of the
 * aggregate. Guarded by the row's state, so running them twice changes nothing more; the
 * `entitlement.revoked` event is written only if the entitlement was still active.
 */
export async function revokeEntitlementStatements(
  db: Db,
  target: { userId: string; itemId: string; source: EntitlementSource },
  now = Date.now(),
): Promise<EntitlementStatements> {
  const row = await db.query.entitlements.findFirst({ where: keyOf(target) });
  // Before the update, which makes the row revoked whatever it was.
  const event = row
    ? await entitlementEvent(db, "entitlement.revoked", { ...row, status: "revoked" }, entitlementIsActive(row.id), now)
    : undefined;
  const revoke = db
    .update(entitlements)
    .set({ status: "revoked", revokedAt: now })
    .where(and(keyOf(target), ne(entitlements.status, "revoked")));
  const uncount: BatchItem<"sqlite">[] = [...uncountIfNoLongerBuyer(db, target.itemId, target.userId, now)];
  return event
    ? { statements: [event.insert, revoke, ...uncount], webhookEventIds: [event.id] }
    : { statements: [revoke, ...uncount], webhookEventIds: [] };
}

/** The user's effective (active, unexpired) entitlement to the item, from one of `sources` if given. */
export async function findActiveEntitlement(db: Db, userId: string, itemId: string, sources?: readonly EntitlementSource[]) {
  return db.query.entitlements.findFirst({
    where: and(
      eq(entitlements.userId, userId),
      eq(entitlements.itemId, itemId),
      isEffective(Date.now()),
      sources ? inArray(entitlements.source, [...sources]) : undefined,
    ),
  });
}

/**
 * Ends an entitlement (refunds call this, as do operators). One batch revokes it and, if the user
 * holds no other buyer entitlement to the item, takes their rating out of the aggregate; the
 * statements' own conditions make a second revocation change nothing.
 */
export async function revokeEntitlement(
  env: Env,
  db: Db,
  meta: RequestMeta,
  entitlementId: string,
  reason: string,
  actorUserId: string | null = null,
): Promise<EntitlementT> {
  const row = await db.query.entitlements.findFirst({ where: eq(entitlements.id, entitlementId) });
  if (!row) throw notFound("Entitlement");
  if (row.status === "revoked") return toEntitlement(row);
  const item = await db.query.items.findFirst({ columns: { orgId: true }, where: eq(items.id, row.itemId) });
  const now = Date.now();
  // Before the update; an `expired` row being revoked already had its event.
  const event = await entitlementEvent(db, "entitlement.revoked", { ...row, status: "revoked" }, entitlementIsActive(row.id), now);
  // License keys follow their entitlement.
  const licensesRevoked = await revokeEntitlementLicenses(db, entitlementId, now);
  await db.batch([
    event.insert,
    db
      .update(entitlements)
      .set({ status: "revoked", revokedAt: now })
      .where(and(eq(entitlements.id, entitlementId), ne(entitlements.status, "revoked"))),
    ...uncountIfNoLongerBuyer(db, row.itemId, row.userId, now),
    ...licensesRevoked.statements,
    auditInsert(
      { db, meta },
      {
        action: "entitlement.revoked",
        orgId: item?.orgId ?? null,
        actorUserId,
        targetType: "entitlement",
        targetId: entitlementId,
        metadata: { reason, itemId: row.itemId, userId: row.userId, source: row.source },
      },
    ),
  ]);
  await enqueueWebhookEvents(env, [event.id, ...licensesRevoked.webhookEventIds]);
  return toEntitlement({ ...row, status: "revoked", revokedAt: now });
}

/** "Get" a free item: claims a `free` entitlement. `created` is false when one was already held. */
export async function getFreeItem(env: Env, db: Db, userId: string, slug: string) {
  const { item } = await findVisibleItemBySlug(db, slug);
  if (!item.isFree) throw new AppError("conflict", "This item is paid; buy it through checkout");
  const held = await findActiveEntitlement(db, userId, item.id, ["free"]);
  if (held) return { entitlement: toEntitlement(held), created: false };
  const grant = await grantEntitlementStatements(db, { itemId: item.id, userId, source: "free" });
  const results = await db.batch(grant.statements);
  await enqueueWebhookEvents(env, grant.webhookEventIds);
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
  env: Env,
  db: Db,
  meta: RequestMeta,
  operatorId: string,
  input: OperatorGrantInput,
): Promise<EntitlementT> {
  const now = Date.now();
  if (input.expiresAt !== undefined && input.expiresAt <= now) {
    throw new AppError("invalid_request", "expiresAt must be in the future", { fields: { "body.expiresAt": ["must be in the future"] } });
  }
  const item = await db.query.items.findFirst({
    columns: { id: true, orgId: true },
    where: input.itemId ? eq(items.id, input.itemId) : eq(items.slug, input.itemSlug!),
  });
  if (!item) throw notFound("Item");
  const user = await db.query.users.findFirst({ columns: { id: true }, where: eq(users.id, input.userId) });
  if (!user) throw notFound("User");
  const grant = await grantEntitlementStatements(
    db,
    { itemId: item.id, userId: user.id, source: "grant", reference: input.reason, grantedBy: operatorId, expiresAt: input.expiresAt },
    now,
  );
  const results = await db.batch([
    ...grant.statements,
    auditInsert(
      { db, meta },
      {
        action: "entitlement.granted",
        orgId: item.orgId,
        actorUserId: operatorId,
        targetType: "item",
        targetId: item.id,
        metadata: { reason: input.reason, userId: user.id, expiresAt: input.expiresAt ?? null },
      },
    ),
  ]);
  await enqueueWebhookEvents(env, grant.webhookEventIds);
  return toEntitlement((results[grant.claimAt] as EntitlementRow[])[0]!, now);
}

/** The caller's own entitlements with the item's slug and name, newest first, keyset-paginated. */
export async function listMyEntitlements(db: Db, userId: string, limit: number, cursor?: string) {
  const rows = await db
    .select({ entitlement: entitlements, itemSlug: items.slug, itemName: items.name })
    .from(entitlements)
    .innerJoin(items, eq(items.id, entitlements.itemId))
    .where(and(eq(entitlements.userId, userId), afterCursor(entitlements, cursor)))
    .orderBy(...newestFirst(entitlements))
    .limit(limit + 1);
  const now = Date.now();
  const { page, nextCursor } = pageOf(rows, limit, (r) => r.entitlement);
  const data: MyEntitlementT[] = page.map((r) => ({ ...toEntitlement(r.entitlement, now), itemSlug: r.itemSlug, itemName: r.itemName }));
  return { data, nextCursor };
}
