/**
 * An item's license keys as its author manages them: search by the key's last group or the buyer's
 * e-mail, one key with its activations, and the actions (suspend, reinstate, revoke, reset
 * activations). Each action is idempotent (asking for the state a key is in changes nothing and
 * writes no audit row) and audited in the batch that makes the change.
 */
import { and, eq, inArray, or, type SQL, sql } from "drizzle-orm";
import type { AuditAction } from "../../../shared/audit-actions";
import {
  canonicalLicenseKey,
  type ItemLicenseDetailT,
  type ItemLicenseT,
  LICENSE_KEY_ALPHABET,
  LICENSE_KEY_GROUP_LENGTH,
  type LicenseAction,
  maskLicenseKey,
} from "../../../shared/licenses";
import { auditInsertIf } from "../audit";
import { userEmailSql } from "../auth";
import { findOrgItem } from "../catalog";
import type { Ctx } from "../context";
import { afterCursor, newestFirst, pageOf } from "../db/keyset";
import { subquery } from "../db/subquery";
import type { OrgAccess } from "../http/access";
import { AppError, notFound } from "../http/errors";
import { enqueueWebhookEvents } from "../webhooks";
import { revokeLicenses } from "./issuance";
import { effectiveStatus } from "./service";
import { licenseActivations, licenses } from "./tables";

type LicenseRow = typeof licenses.$inferSelect;

const activationCountSql = subquery<number>(
  sql`(SELECT count(*) FROM ${licenseActivations} WHERE ${licenseActivations.licenseId} = ${licenses.id})`,
);
const columns = { license: licenses, buyerEmail: userEmailSql(licenses.userId), activationCount: activationCountSql };

function toItemLicense(
  { license, buyerEmail, activationCount }: { license: LicenseRow; buyerEmail: string | null; activationCount: number },
  now = Date.now(),
): ItemLicenseT {
  return {
    id: license.id,
    key: maskLicenseKey(license.keyPrefix, license.lastGroup),
    lastGroup: license.lastGroup,
    status: effectiveStatus(license, now),
    source: license.subscriptionId ? "subscription" : "purchase",
    userId: license.userId,
    buyerEmail: buyerEmail ?? "",
    expiresAt: license.expiresAt,
    revokedAt: license.revokedAt,
    activationCount,
    maxActivations: license.maxActivations,
    createdAt: license.createdAt,
  };
}

const LAST_GROUP = new RegExp(`^[${LICENSE_KEY_ALPHABET}]{${LICENSE_KEY_GROUP_LENGTH}}$`);

/**
 * The search: a last group as the buyer reads it out (any case, Crockford's O/I/L, or the whole
 * masked or full key, whose last group counts) matches it exactly; any text matches e-mails containing it.
 */
function searchCondition(q: string): SQL | undefined {
  const typedGroup = (canonicalLicenseKey(q) ?? q.toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1")).split("-").at(-1)!.trim();
  const email = sql`instr(lower(${userEmailSql(licenses.userId)}), ${q.toLowerCase()}) > 0`;
  return LAST_GROUP.test(typedGroup) ? or(eq(licenses.lastGroup, typedGroup), email) : email;
}

/** An org item's keys, newest first, a page at a time; `q` narrows them (see searchCondition). */
export async function listItemLicenses(
  { db }: Ctx,
  input: { orgId: string; itemId: string; q?: string; limit: number; cursor?: string },
): Promise<{ data: ItemLicenseT[]; nextCursor: string | null }> {
  await findOrgItem(db, input.orgId, input.itemId);
  const rows = await db
    .select(columns)
    .from(licenses)
    .where(
      and(
        eq(licenses.itemId, input.itemId),
        eq(licenses.orgId, input.orgId),
        input.q ? searchCondition(input.q) : undefined,
        afterCursor(licenses, input.cursor),
      ),
    )
    .orderBy(...newestFirst(licenses))
    .limit(input.limit + 1);
  const { page, nextCursor } = pageOf(rows, input.limit, (r) => r.license);
  const now = Date.now();
  return { data: page.map((r) => toItemLicense(r, now)), nextCursor };
}

/** One of the org item's keys, 404 for any other (another item's, another org's). */
async function findItemLicense({ db }: Ctx, { orgId, itemId, licenseId }: { orgId: string; itemId: string; licenseId: string }) {
  const [row] = await db
    .select(columns)
    .from(licenses)
    .where(and(eq(licenses.id, licenseId), eq(licenses.itemId, itemId), eq(licenses.orgId, orgId)))
    .limit(1);
  if (!row) throw notFound("License");
  return row;
}

/** One key with its activations. */
export async function itemLicense(ctx: Ctx, input: { orgId: string; itemId: string; licenseId: string }): Promise<ItemLicenseDetailT> {
  const row = await findItemLicense(ctx, input);
  const activations = await ctx.db
    .select()
    .from(licenseActivations)
    .where(eq(licenseActivations.licenseId, input.licenseId))
    .orderBy(licenseActivations.createdAt);
  return {
    ...toItemLicense({ ...row, activationCount: activations.length }),
    activations: activations.map((a) => ({
      id: a.id,
      fingerprint: a.fingerprint,
      name: a.name,
      createdAt: a.createdAt,
      lastValidatedAt: a.lastValidatedAt,
    })),
  };
}

const AUDIT_ACTIONS: Record<LicenseAction, AuditAction> = {
  suspend: "license.suspended",
  reinstate: "license.reinstated",
  revoke: "license.revoked",
  "reset-activations": "license.activations_reset",
};

const revokedAlready = () => new AppError("conflict", "This license was revoked; a revoked key cannot be used again");

/**
 * Suspends, reinstates or revokes a key, or frees all its activations. Suspending stops the key
 * until it is reinstated (the License API answers `suspended`); revoking is final and announced as
 * `license.revoked`. A revoked key cannot be suspended or reinstated (409).
 */
export async function actOnItemLicense(
  ctx: Ctx,
  { access, itemId, licenseId, action }: { access: OrgAccess; itemId: string; licenseId: string; action: LicenseAction },
): Promise<ItemLicenseDetailT> {
  const { db, env } = ctx;
  const input = { orgId: access.orgId, itemId, licenseId };
  const { license, activationCount } = await findItemLicense(ctx, input);
  const now = Date.now();
  const audit = (condition: SQL, metadata: Record<string, unknown> = {}) =>
    auditInsertIf(
      ctx,
      {
        action: AUDIT_ACTIONS[action],
        orgId: access.orgId,
        actorUserId: access.principal.userId,
        targetType: "license",
        targetId: licenseId,
        metadata: { itemId, lastGroup: license.lastGroup, ...metadata },
      },
      condition,
    );
  // The audit row is written only if this batch's change happened (not a concurrent one's).
  const changedNow = sql`EXISTS (SELECT 1 FROM ${licenses} WHERE ${licenses.id} = ${licenseId} AND ${licenses.updatedAt} = ${now})`;

  if (action === "reset-activations") {
    if (activationCount > 0) {
      await db.batch([
        db.update(licenses).set({ updatedAt: now }).where(eq(licenses.id, licenseId)),
        db.delete(licenseActivations).where(eq(licenseActivations.licenseId, licenseId)),
        audit(changedNow, { activations: activationCount }),
      ]);
    }
  } else if (action === "revoke") {
    if (license.status !== "revoked") {
      const revoke = await revokeLicenses(ctx, eq(licenses.id, licenseId), now);
      const [update, ...events] = revoke.statements;
      await db.batch([update!, ...events, audit(changedNow, { from: license.status })]);
      await enqueueWebhookEvents(env, revoke.webhookEventIds);
    }
  } else {
    if (license.status === "revoked") throw revokedAlready();
    // Suspend from active or expired; reinstate only a suspended key (an expired one stays expired).
    const [from, to] =
      action === "suspend" ? [["active", "expired"] as const, "suspended" as const] : [["suspended"] as const, "active" as const];
    if (license.status !== to) {
      await db.batch([
        db
          .update(licenses)
          .set({ status: to, updatedAt: now })
          .where(and(eq(licenses.id, licenseId), inArray(licenses.status, [...from]))),
        audit(changedNow, { from: license.status }),
      ]);
    }
  }
  const after = await itemLicense(ctx, input);
  // Revoked meanwhile (between the read and the update): the suspension or reinstatement did not happen.
  if (after.status === "revoked" && (action === "suspend" || action === "reinstate")) throw revokedAlready();
  return after;
}
