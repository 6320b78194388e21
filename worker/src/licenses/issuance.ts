/**
 * Licenses as part of fulfillment: batchable statements that issue, follow and revoke them, for
 * checkout, billing and refunds to put into the same `db.batch` as the order and entitlement.
 *
 * Issuing is idempotent like the rest of fulfillment: the license id is derived from the order (or
 * subscription), the insert ignores a conflict, so a replayed event writes nothing. Each attempt
 * generates a random key, but only the attempt whose row won keeps it: the one-time reveal row is
 * written only if the license row holds this attempt's hash, and `issuedKey` tells the caller.
 */
import { and, eq, ne, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { DEFAULT_MAX_ACTIVATIONS, defaultLicensePrefix } from "../../../shared/licenses";
import { findItemRef } from "../catalog";
import type { Ctx, Statement } from "../context";
import { derivedId } from "../crypto/random";
import { currentKeyId, open, seal } from "../crypto/secret-box";
import type { Db } from "../db/client";
import { insertIf } from "../db/insert-if";
import { entitlementEffectiveSql, entitlementExpiresAtSql, entitlementIdSql } from "../entitlements";
import { generateLicenseKey, hashLicenseKey, lastGroupOf } from "./keys";
import { licensePolicies, licenseReveals, licenses } from "./tables";
import { licenseEvent } from "./webhook-events";

/** How long a new key waits to be shown on the success page before maintenance deletes it unread. */
export const REVEAL_TTL_MS = 24 * 3_600_000;

export type LicenseSource = { kind: "purchase"; orderId: string } | { kind: "subscription"; subscriptionId: string };

export interface LicenseIssue {
  licenseId: string;
  /** This attempt's key: real only if `issuedKey` finds that its row won. */
  key: string;
  /** The claim first, then the reveal (and for subscriptions the expiry that follows the entitlement). */
  statements: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];
  /**
   * SQL: the license row holds this attempt's key, for what may only be written with the key this
   * attempt issued (the receipt), after the claim in the same batch.
   */
  issuedByThisAttempt: SQL;
  /** The licensed item's name, as the receipt names it. */
  itemName: string;
  /** The `license.created` webhook event (written by whichever attempt's license row won). */
  webhookEventId: string;
}

/** An item's key prefix and activation limit: its author's policy, or the defaults. */
export async function licensePolicyFor(db: Db, itemId: string) {
  const [item, [policy]] = await Promise.all([
    findItemRef(db, itemId),
    db
      .select({ prefix: licensePolicies.keyPrefix, maxActivations: licensePolicies.maxActivations })
      .from(licensePolicies)
      .where(eq(licensePolicies.itemId, itemId))
      .limit(1),
  ]);
  if (!item) throw new Error(`No item ${itemId} to license`);
  return {
    itemName: item.name,
    prefix: policy?.prefix ?? defaultLicensePrefix(item.slug),
    maxActivations: policy?.maxActivations ?? DEFAULT_MAX_ACTIVATIONS,
    custom: policy !== undefined,
  };
}

export const licenseIdFor = (source: LicenseSource, itemId: string) =>
  source.kind === "purchase"
    ? derivedId("license", `purchase:${source.orderId}:${itemId}`)
    : derivedId("license", `subscription:${source.subscriptionId}`);

export interface LicenseToIssue {
  source: LicenseSource;
  orgId: string;
  itemId: string;
  userId: string;
  /** The checkout whose success page reveals the key once; null when none will. */
  checkoutId: string | null;
  now?: number;
}

/**
 * The statements that issue the license for one purchased item or one subscription. Put them after
 * the entitlement grant in the same batch: the license points at that entitlement.
 */
export async function issueLicenseStatements(ctx: Pick<Ctx, "env" | "db" | "events">, input: LicenseToIssue): Promise<LicenseIssue> {
  const { env, db } = ctx;
  const { source, itemId, userId, now = Date.now() } = input;
  const licenseId = await licenseIdFor(source, itemId);
  const policy = await licensePolicyFor(db, itemId);
  const key = generateLicenseKey(policy.prefix);
  const keyHash = await hashLicenseKey(env, key);
  const claim = db
    .insert(licenses)
    .values({
      id: licenseId,
      orgId: input.orgId,
      itemId,
      userId,
      entitlementId: entitlementIdSql({ userId, itemId, source: source.kind }),
      orderId: source.kind === "purchase" ? source.orderId : null,
      subscriptionId: source.kind === "subscription" ? source.subscriptionId : null,
      keyHash,
      keyPrefix: policy.prefix,
      lastGroup: lastGroupOf(key),
      status: "active",
      expiresAt: null,
      maxActivations: policy.maxActivations,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: licenses.id });
  const statements: LicenseIssue["statements"] = [claim];
  // Whether the license row is this attempt's: a losing attempt's key is never stored anywhere.
  const thisAttemptsLicense: SQL = sql`EXISTS (SELECT 1 FROM ${licenses} WHERE ${licenses.id} = ${licenseId} AND ${licenses.keyHash} = ${keyHash})`;
  if (input.checkoutId) {
    const sealed = await seal(env.ENCRYPTION_KEYS, key);
    const reveal = { licenseId, checkoutId: input.checkoutId, sealedKey: sealed, createdAt: now, expiresAt: now + REVEAL_TTL_MS };
    statements.push(insertIf(db, licenseReveals, reveal, thisAttemptsLicense).onConflictDoNothing());
  }
  // Its derived id makes the winning batch (the one whose license row is written) the one that writes it.
  const event = await licenseEvent(
    db,
    "license.created",
    {
      id: licenseId,
      orgId: input.orgId,
      itemId,
      userId,
      keyPrefix: policy.prefix,
      lastGroup: lastGroupOf(key),
      status: "active",
      expiresAt: null,
    },
    now,
  );
  statements.push(event.insert);
  if (source.kind === "subscription") statements.push(followEntitlement(db, licenseId, now));
  statements.push(...(await ctx.events.emit("licenses.changed", { orgId: input.orgId, itemId, now })));
  return { licenseId, key, statements, issuedByThisAttempt: thisAttemptsLicense, itemName: policy.itemName, webhookEventId: event.id };
}

/**
 * The key an issue's batch really issued, or null when another attempt's row was there first.
 * `results` is the batch's results and `at` the index of the issue's first statement in it.
 */
export function issuedKey(issue: LicenseIssue, results: readonly unknown[], at: number): string | null {
  const claimed = results[at] as { id: string }[] | undefined;
  return claimed && claimed.length > 0 ? issue.key : null;
}

/**
 * A subscription's license follows its entitlement: the same expiry (period end, or the grace
 * period while past due), and active again when a lapsed entitlement is renewed. Revoked and
 * suspended licenses stay so.
 */
export function followEntitlement(db: Db, licenseId: string, now: number) {
  return db
    .update(licenses)
    .set({
      expiresAt: entitlementExpiresAtSql(licenses.entitlementId),
      status: sql`CASE WHEN ${licenses.status} = 'expired' AND ${entitlementEffectiveSql(licenses.entitlementId, now)} THEN 'active' ELSE ${licenses.status} END`,
      updatedAt: now,
    })
    .where(eq(licenses.id, licenseId));
}

/** Statements for another domain's batch, and the webhook events to queue once it ran. */
export interface LicenseStatements {
  statements: BatchItem<"sqlite">[];
  webhookEventIds: string[];
}

/**
 * Revokes the licenses `where` matches, each live one with its `license.revoked` event (id derived
 * from the license: revocation is final, so a replay writes the same event again, a no-op), then
 * what `licenses.changed` handlers add for each item.
 */
export async function revokeLicenses(ctx: Pick<Ctx, "db" | "events">, where: SQL, now: number): Promise<LicenseStatements> {
  const { db } = ctx;
  const live = await db
    .select()
    .from(licenses)
    .where(and(where, ne(licenses.status, "revoked")));
  const events = await Promise.all(live.map((license) => licenseEvent(db, "license.revoked", { ...license, status: "revoked" }, now)));
  const update = db
    .update(licenses)
    .set({ status: "revoked", revokedAt: now, updatedAt: now })
    .where(and(where, ne(licenses.status, "revoked")));
  const changed = await announceChanges(ctx, live, now);
  return { statements: [update, ...events.map((e) => e.insert), ...changed], webhookEventIds: events.map((e) => e.id) };
}

/** `licenses.changed` once per item of `rows`: the statements its handlers add to the change's batch. */
export async function announceChanges(ctx: Pick<Ctx, "events">, rows: { orgId: string; itemId: string }[], now: number) {
  const items = new Map(rows.map((r) => [r.itemId, r.orgId]));
  const statements: Statement[] = [];
  for (const [itemId, orgId] of items) statements.push(...(await ctx.events.emit("licenses.changed", { orgId, itemId, now })));
  return statements;
}

type EventCtx = Pick<Ctx, "db" | "events">;
/** A refunded purchase: its licenses are revoked (in the refund's batch). */
export const revokeOrderLicenses = (ctx: EventCtx, orderId: string, now = Date.now()) =>
  revokeLicenses(ctx, eq(licenses.orderId, orderId), now);
/** An ended or refunded subscription: its license is revoked. */
export const revokeSubscriptionLicense = (ctx: EventCtx, subscriptionId: string, now = Date.now()) =>
  revokeLicenses(ctx, eq(licenses.subscriptionId, subscriptionId), now);
/** An entitlement revoked by hand (an operator): every license issued on it. */
export const revokeEntitlementLicenses = (ctx: EventCtx, entitlementId: string, now = Date.now()) =>
  revokeLicenses(ctx, eq(licenses.entitlementId, entitlementId), now);

/**
 * A refund Stripe reports failed: the order's revoked licenses are active again, each only if its
 * entitlement is effective (put this after the entitlement's restore in the same batch). No
 * `license.created` event: the key is the one the buyer already has.
 */
export const restoreOrderLicenses = (db: Db, orderId: string, now = Date.now()) =>
  db
    .update(licenses)
    .set({ status: "active", revokedAt: null, updatedAt: now })
    .where(and(eq(licenses.orderId, orderId), eq(licenses.status, "revoked"), entitlementEffectiveSql(licenses.entitlementId, now)));

/**
 * A disputed purchase: its active keys are frozen (`disputed`; the License API answers `disputed`)
 * until the dispute is won (`undisputeOrderLicenses`) or lost (revoked with the entitlement);
 * only while `onlyIf` holds (the dispute is still open when the batch runs).
 */
export const disputeOrderLicenses = (db: Db, { orderId, onlyIf, now = Date.now() }: { orderId: string; onlyIf: SQL; now?: number }) =>
  db
    .update(licenses)
    .set({ status: "disputed", updatedAt: now })
    .where(and(eq(licenses.orderId, orderId), eq(licenses.status, "active"), onlyIf));

/** A dispute the seller won: the order's frozen keys are active again, each only if its entitlement is (put this after the entitlement's restore). */
export const undisputeOrderLicenses = (db: Db, orderId: string, now = Date.now()) =>
  db
    .update(licenses)
    .set({ status: "active", updatedAt: now })
    .where(and(eq(licenses.orderId, orderId), eq(licenses.status, "disputed"), entitlementEffectiveSql(licenses.entitlementId, now)));

/** One license, for the receipt that names it. */
export async function findLicense(db: Db, licenseId: string) {
  const [row] = await db.select().from(licenses).where(eq(licenses.id, licenseId)).limit(1);
  return row;
}

/**
 * Shows a checkout's new key once: the reveal row is deleted as it is read (one statement, so two
 * concurrent reads cannot both get it). Null before fulfillment, after the first read, and once
 * the reveal expired.
 */
export async function revealLicenseKey(ctx: Pick<Ctx, "env" | "db" | "log">, checkoutId: string, now = Date.now()): Promise<string | null> {
  const { env, db } = ctx;
  // A bad ENCRYPTION_KEYS fails the request here (KeyRingError, 500), before the one-time reveal is spent.
  await currentKeyId(env.ENCRYPTION_KEYS);
  const rows = await db
    .delete(licenseReveals)
    .where(eq(licenseReveals.checkoutId, checkoutId))
    .returning({ licenseId: licenseReveals.licenseId, sealedKey: licenseReveals.sealedKey, expiresAt: licenseReveals.expiresAt });
  const live = rows.find((r) => r.expiresAt > now);
  if (!live) return null;
  try {
    return await open(env.ENCRYPTION_KEYS, live.sealedKey);
  } catch (err) {
    ctx.log("error", "a license key reveal could not be opened", { licenseId: live.licenseId, error: String(err) });
    return null;
  }
}
