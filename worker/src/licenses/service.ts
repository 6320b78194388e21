/**
 * The License API (validate, activate, deactivate: called by plugins with only their key), the
 * buyer's own licenses, and an item's license policy.
 *
 * Every answer is 200 `{ valid, code, license? }`. Checks run in a fixed order and the first that
 * fails is the code: `not_found` (unknown, malformed or wrong-prefix key: all hashed and looked up
 * the same way, so they look the same), `item_mismatch` (the key is for another item), the
 * license's own state (`revoked`, `suspended`, `expired`), then the fingerprint checks of each
 * operation. Any code but `valid` means nothing changed.
 */
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { z } from "zod";
import {
  DEFAULT_MAX_ACTIVATIONS,
  defaultLicensePrefix,
  type LicenseAnswerT,
  type LicenseCode,
  type LicensePolicyBody,
  type LicensePolicyT,
  type MyLicenseT,
  maskLicenseKey,
} from "../../../shared/licenses";
import { auditInsert } from "../audit";
import { findOrgItem, itemRefsById, itemSlugSql } from "../catalog";
import type { Ctx } from "../context";
import { constantTimeEqual } from "../crypto/hash";
import { newId } from "../crypto/random";
import { countBelow, insertIf } from "../db/insert-if";
import type { Env } from "../env";
import type { OrgAccess } from "../http/access";
import { notFound } from "../http/errors";
import { counter, takeHit, type Window } from "../http/rate-limit";
import { licensePolicyFor } from "./issuance";
import { lookupHashes } from "./keys";
import { licenseActivations, licensePolicies, licenses } from "./tables";

type LicenseRow = typeof licenses.$inferSelect;
type Status = LicenseRow["status"];

/** Requests per minute per IP and per key (`LICENSE_API_RATE_LIMIT`, default 60). */
export function licenseApiWindow(env: Pick<Env, "LICENSE_API_RATE_LIMIT">): Window {
  const limit = Math.trunc(Number(env.LICENSE_API_RATE_LIMIT ?? 60));
  return { limit: limit > 0 ? limit : 60, windowMs: 60_000 };
}

/** An `active` license past its expiry is `expired`, whether or not maintenance has written it yet. */
export function effectiveStatus(row: Pick<LicenseRow, "status" | "expiresAt">, now = Date.now()): Status {
  return row.status === "active" && row.expiresAt !== null && row.expiresAt <= now ? "expired" : row.status;
}

interface Found {
  license: LicenseRow;
  itemSlug: string;
  activations: number;
}

/** A License API call's body; the caller's IP (`ctx.meta.ip`) is rate limited too. */
export interface LicenseRequest {
  key: string;
  item: string;
  fingerprint?: string;
  name?: string;
}

/**
 * Rate limits, then the license the typed key names. The lookup is by keyed hash (what an
 * attacker controls is only the HMAC input); the match is re-checked in constant time.
 */
async function findByKey({ env, db, meta }: Ctx, input: LicenseRequest): Promise<Found | undefined> {
  const hashes = await lookupHashes(env, input.key);
  const window = licenseApiWindow(env);
  await takeHit(env, [counter(`license:ip:${meta.ip ?? "unknown"}`, window), counter(`license:key:${hashes[0]!.slice(0, 32)}`, window)]);

  const rows = await db
    .select({
      license: licenses,
      itemSlug: itemSlugSql(licenses.itemId),
      // Qualified by hand: drizzle leaves a lone table's columns bare, and a bare `id` here would be the activation's.
      activations: sql<number>`(SELECT count(*) FROM license_activations a WHERE a.license_id = "licenses"."id")`,
    })
    .from(licenses)
    .where(inArray(licenses.keyHash, hashes))
    .limit(hashes.length);
  return rows.find((r) => hashes.some((h) => constantTimeEqual(h, r.license.keyHash)));
}

function answer(code: LicenseCode, found?: Found, activations = found?.activations ?? 0, now = Date.now()): LicenseAnswerT {
  return {
    valid: code === "valid",
    code,
    ...(found && {
      license: {
        status: effectiveStatus(found.license, now),
        expiresAt: found.license.expiresAt,
        activations,
        maxActivations: found.license.maxActivations,
        item: found.itemSlug,
      },
    }),
  };
}

/** The checks every operation starts with; a code when one fails. */
async function usableLicense(ctx: Ctx, input: LicenseRequest, now: number): Promise<{ found: Found } | { refused: LicenseAnswerT }> {
  const found = await findByKey(ctx, input);
  if (!found) return { refused: answer("not_found") };
  if (found.itemSlug !== input.item) return { refused: answer("item_mismatch") };
  const status = effectiveStatus(found.license, now);
  if (status !== "active") return { refused: answer(status, found, undefined, now) };
  return { found };
}

/**
 * Is this key good for this item (and, with a fingerprint, on this activated installation)?
 * Validating an activation records when it was last seen.
 */
export async function validateLicense(ctx: Ctx, input: LicenseRequest): Promise<LicenseAnswerT> {
  const { db } = ctx;
  const now = Date.now();
  const checked = await usableLicense(ctx, input, now);
  if ("refused" in checked) return checked.refused;
  const { found } = checked;
  if (input.fingerprint !== undefined) {
    const seen = await db
      .update(licenseActivations)
      .set({ lastValidatedAt: now })
      .where(and(eq(licenseActivations.licenseId, found.license.id), eq(licenseActivations.fingerprint, input.fingerprint)))
      .returning({ id: licenseActivations.id });
    if (seen.length === 0) return answer("fingerprint_mismatch", found, undefined, now);
  }
  return answer("valid", found, undefined, now);
}

/**
 * Activates the key on an installation. Idempotent per fingerprint: activating an active one
 * again is `valid` and changes nothing but its name and last-seen time. A new fingerprint beyond
 * the license's limit is `too_many_activations`; the limit is checked in the insert itself, so
 * concurrent activations cannot exceed it.
 */
export async function activateLicense(ctx: Ctx, input: LicenseRequest & { fingerprint: string }): Promise<LicenseAnswerT> {
  const { db } = ctx;
  const now = Date.now();
  const checked = await usableLicense(ctx, input, now);
  if ("refused" in checked) return checked.refused;
  const { found } = checked;
  const licenseId = found.license.id;
  const touchExisting = () =>
    db
      .update(licenseActivations)
      .set({ lastValidatedAt: now, ...(input.name !== undefined && { name: input.name }) })
      .where(and(eq(licenseActivations.licenseId, licenseId), eq(licenseActivations.fingerprint, input.fingerprint)))
      .returning({ id: licenseActivations.id });
  if ((await touchExisting()).length > 0) return answer("valid", found, undefined, now);

  const activation = {
    id: newId("licenseActivation"),
    licenseId,
    fingerprint: input.fingerprint,
    name: input.name ?? null,
    createdAt: now,
    lastValidatedAt: now,
  };
  const underLimit = countBelow(
    db,
    licenseActivations,
    eq(licenseActivations.licenseId, licenseId),
    sql`(SELECT max_activations FROM licenses WHERE id = ${licenseId})`,
  );
  const inserted = await insertIf(db, licenseActivations, activation, underLimit)
    .onConflictDoNothing()
    .returning({ id: licenseActivations.id });
  if (inserted.length > 0) return answer("valid", found, found.activations + 1, now);
  // Lost to a concurrent activation of the same fingerprint (then it is active), or at the limit.
  if ((await touchExisting()).length > 0) return answer("valid", found, undefined, now);
  return answer("too_many_activations", found, undefined, now);
}

/** Frees the installation's activation. A fingerprint the license is not activated on is `fingerprint_mismatch`. */
export async function deactivateLicense(ctx: Ctx, input: LicenseRequest & { fingerprint: string }): Promise<LicenseAnswerT> {
  const { db } = ctx;
  const now = Date.now();
  const checked = await usableLicense(ctx, input, now);
  if ("refused" in checked) return checked.refused;
  const { found } = checked;
  const removed = await db
    .delete(licenseActivations)
    .where(and(eq(licenseActivations.licenseId, found.license.id), eq(licenseActivations.fingerprint, input.fingerprint)))
    .returning({ id: licenseActivations.id });
  if (removed.length === 0) return answer("fingerprint_mismatch", found, undefined, now);
  return answer("valid", found, Math.max(0, found.activations - 1), now);
}

/** The buyer's licenses, newest first, keys masked, each with its activations. */
export async function listMyLicenses({ db }: Ctx, userId: string): Promise<MyLicenseT[]> {
  const owned = await db
    .select()
    .from(licenses)
    .where(eq(licenses.userId, userId))
    .orderBy(desc(licenses.createdAt), desc(licenses.id))
    .limit(100);
  const ids = owned.map((license) => license.id);
  const [activations, items] = await Promise.all([
    ids.length
      ? db.select().from(licenseActivations).where(inArray(licenseActivations.licenseId, ids)).orderBy(licenseActivations.createdAt)
      : [],
    itemRefsById(
      db,
      owned.map((license) => license.itemId),
    ),
  ]);
  const now = Date.now();
  return owned.flatMap((license) => {
    const item = items.get(license.itemId);
    if (!item) return [];
    const mine = activations.filter((a) => a.licenseId === license.id);
    return {
      id: license.id,
      itemId: license.itemId,
      itemSlug: item.slug,
      itemName: item.name,
      key: maskLicenseKey(license.keyPrefix, license.lastGroup),
      status: effectiveStatus(license, now),
      expiresAt: license.expiresAt,
      maxActivations: license.maxActivations,
      activations: mine.map((a) => ({
        id: a.id,
        fingerprint: a.fingerprint,
        name: a.name,
        createdAt: a.createdAt,
        lastValidatedAt: a.lastValidatedAt,
      })),
      createdAt: license.createdAt,
    };
  });
}

/** The buyer frees one of their own activations (a machine they no longer use); 404 for anyone else's. */
export async function removeMyActivation(
  { db }: Ctx,
  { userId, licenseId, activationId }: { userId: string; licenseId: string; activationId: string },
) {
  const removed = await db
    .delete(licenseActivations)
    .where(
      and(
        eq(licenseActivations.id, activationId),
        eq(licenseActivations.licenseId, licenseId),
        inArray(
          licenseActivations.licenseId,
          db
            .select({ id: licenses.id })
            .from(licenses)
            .where(and(eq(licenses.id, licenseId), eq(licenses.userId, userId))),
        ),
      ),
    )
    .returning({ id: licenseActivations.id });
  if (removed.length === 0) throw notFound("Activation");
}

/** An org item's license policy (the defaults until its author sets one). */
export async function getLicensePolicy({ db }: Ctx, { orgId, itemId }: { orgId: string; itemId: string }): Promise<LicensePolicyT> {
  await findOrgItem(db, orgId, itemId);
  const { prefix, maxActivations, custom } = await licensePolicyFor(db, itemId);
  return { itemId, prefix, maxActivations, custom };
}

/** Sets an item's key prefix and/or activation limit; keys issued before keep theirs. Audited. */
export async function setLicensePolicy(
  ctx: Ctx,
  { access, itemId, policy: input }: { access: OrgAccess; itemId: string; policy: z.infer<typeof LicensePolicyBody> },
): Promise<LicensePolicyT> {
  const { db } = ctx;
  const { item } = await findOrgItem(db, access.orgId, itemId);
  const current = await licensePolicyFor(db, itemId);
  const next = {
    prefix: input.prefix ?? current.prefix ?? defaultLicensePrefix(item.slug),
    maxActivations: input.maxActivations ?? current.maxActivations ?? DEFAULT_MAX_ACTIVATIONS,
  };
  const now = Date.now();
  const fields = { keyPrefix: next.prefix, maxActivations: next.maxActivations, updatedAt: now, updatedBy: access.principal.userId };
  await db.batch([
    db
      .insert(licensePolicies)
      .values({ itemId, orgId: access.orgId, ...fields })
      .onConflictDoUpdate({ target: licensePolicies.itemId, set: fields }),
    auditInsert(ctx, {
      action: "license_policy.updated",
      orgId: access.orgId,
      actorUserId: access.principal.userId,
      targetType: "item",
      targetId: itemId,
      metadata: { from: current, to: next },
    }),
  ]);
  return { itemId, ...next, custom: true };
}
