import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { ConnectStatus } from "../../../shared/payments";
import { auditInsert } from "../audit";
import type { Ctx } from "../context";
import { sha256Hex } from "../crypto/hash";
import { open, seal } from "../crypto/secret-box";
import type { Db } from "../db/client";
import { AppError } from "../http/errors";
import { stripeFor } from "../stripe";
import { connectAccounts } from "./tables";

type ConnectAccountRow = typeof connectAccounts.$inferSelect;
type StatusT = typeof ConnectStatus._output;

/** Rows find their org from an account id by this hash; the id itself is only stored sealed. */
const accountLookup = (accountId: string) => sha256Hex(accountId);

const NOT_CONNECTED: StatusT = { connected: false, chargesEnabled: false, payoutsEnabled: false, detailsSubmitted: false };

const toStatus = (row: ConnectAccountRow | undefined): StatusT =>
  row
    ? { connected: true, chargesEnabled: row.chargesEnabled, payoutsEnabled: row.payoutsEnabled, detailsSubmitted: row.detailsSubmitted }
    : NOT_CONNECTED;

const flagsOf = (account: Stripe.Account) => ({
  chargesEnabled: account.charges_enabled === true,
  payoutsEnabled: account.payouts_enabled === true,
  detailsSubmitted: account.details_submitted === true,
});

async function findRow(db: Db, orgId: string): Promise<ConnectAccountRow | undefined> {
  const [row] = await db.select().from(connectAccounts).where(eq(connectAccounts.orgId, orgId)).limit(1);
  return row;
}

async function findRowOfAccount(db: Db, accountId: string): Promise<ConnectAccountRow | undefined> {
  const [row] = await db
    .select()
    .from(connectAccounts)
    .where(eq(connectAccounts.accountLookup, await accountLookup(accountId)))
    .limit(1);
  return row;
}

/** The org's Stripe account id, decrypted; undefined before onboarding starts. */
async function accountIdOf({ env, db }: Ctx, orgId: string): Promise<string | undefined> {
  const row = await findRow(db, orgId);
  return row ? open(env.ENCRYPTION_KEYS, row.accountIdEncrypted) : undefined;
}

/**
 * The org's Express account, created on first use. The idempotency key is the org, so concurrent
 * first requests make one account; the insert that loses the race changes nothing.
 */
async function ensureAccount(ctx: Ctx, { orgId, actorUserId }: { orgId: string; actorUserId: string }): Promise<string> {
  const existing = await accountIdOf(ctx, orgId);
  if (existing) return existing;
  const { env, db } = ctx;
  const account = await stripeFor(env).accounts.create(
    {
      type: "express",
      capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
      metadata: { plaza_org_id: orgId },
    },
    { idempotencyKey: `connect-account:${orgId}` },
  );
  const now = Date.now();
  await db.batch([
    db
      .insert(connectAccounts)
      .values({
        orgId,
        accountIdEncrypted: await seal(env.ENCRYPTION_KEYS, account.id),
        accountLookup: await accountLookup(account.id),
        ...flagsOf(account),
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing(),
    auditInsert(ctx, { action: "connect.account_created", orgId, actorUserId, targetType: "org", targetId: orgId }),
  ]);
  return (await accountIdOf(ctx, orgId))!;
}

/**
 * A fresh onboarding link (Stripe's links are single-use and short-lived). `refresh_url` is where
 * Stripe sends an author whose link expired: the payouts page, which asks for a new one.
 */
export async function onboardingLink(ctx: Ctx, input: { orgId: string; actorUserId: string }) {
  const accountId = await ensureAccount(ctx, input);
  const page = `${ctx.env.APP_URL}/dashboard/payouts`;
  const link = await stripeFor(ctx.env).accountLinks.create({
    account: accountId,
    type: "account_onboarding",
    refresh_url: `${page}?refresh=1`,
    return_url: `${page}?return=1`,
  });
  return { url: link.url, expiresAt: link.expires_at * 1000 };
}

/** The account's state, refreshed from Stripe while onboarding is unfinished (cheap, and the webhook may lag). */
export async function connectStatus({ env, db }: Ctx, orgId: string): Promise<StatusT> {
  const row = await findRow(db, orgId);
  if (!row || row.chargesEnabled) return toStatus(row);
  const account = await stripeFor(env).accounts.retrieve(await open(env.ENCRYPTION_KEYS, row.accountIdEncrypted));
  const flags = flagsOf(account);
  await db
    .update(connectAccounts)
    .set({ ...flags, updatedAt: Date.now() })
    .where(eq(connectAccounts.orgId, orgId));
  return toStatus({ ...row, ...flags });
}

/** A one-time link into the author's Express dashboard (payouts, bank details). */
export async function dashboardLink({ env, db }: Ctx, orgId: string) {
  const row = await findRow(db, orgId);
  if (!row?.detailsSubmitted) throw new AppError("conflict", "Finish payout onboarding before opening the Stripe dashboard");
  const link = await stripeFor(env).accounts.createLoginLink(await open(env.ENCRYPTION_KEYS, row.accountIdEncrypted));
  return { url: link.url, expiresAt: null };
}

/** The connected account a checkout pays, refused while it cannot take charges. */
export async function chargeableAccountId({ env, db }: Pick<Ctx, "env" | "db">, orgId: string): Promise<string> {
  const row = await findRow(db, orgId);
  if (!row?.chargesEnabled) throw new AppError("charges_disabled", "This author cannot take payments yet");
  return open(env.ENCRYPTION_KEYS, row.accountIdEncrypted);
}

/** `account.updated`: mirror the flags; re-fetched, so an old event never overrides a newer state. */
export async function applyAccountUpdate(ctx: Ctx, accountId: string) {
  const { env, db } = ctx;
  const row = await findRowOfAccount(db, accountId);
  if (!row) return false;
  const flags = flagsOf(await stripeFor(env).accounts.retrieve(accountId));
  const changed =
    flags.chargesEnabled !== row.chargesEnabled ||
    flags.payoutsEnabled !== row.payoutsEnabled ||
    flags.detailsSubmitted !== row.detailsSubmitted;
  if (!changed) return true;
  await db.batch([
    db
      .update(connectAccounts)
      .set({ ...flags, updatedAt: Date.now() })
      .where(eq(connectAccounts.orgId, row.orgId)),
    auditInsert(ctx, { action: "connect.account_updated", orgId: row.orgId, targetType: "org", targetId: row.orgId, metadata: flags }),
  ]);
  return true;
}

/** The org owning a connected account (for Connect events such as payouts). */
export async function orgOfAccount(db: Db, accountId: string) {
  return (await findRowOfAccount(db, accountId))?.orgId;
}
