import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import Stripe from "stripe";
import { formatMoney } from "../../../shared/money";
import type { ConnectStatus } from "../../../shared/payments";
import { auditInsert } from "../audit";
import type { Ctx } from "../context";
import { sha256Hex } from "../crypto/hash";
import { open, seal } from "../crypto/secret-box";
import type { Db } from "../db/client";
import { AppError } from "../http/errors";
import { enqueueMail, payoutFailedMail } from "../mail";
import { notificationStatements } from "../notifications";
import { findOrg } from "../orgs";
import { stripeFor } from "../stripe";
import "./events";
import { connectAccounts } from "./tables";

type ConnectAccountRow = typeof connectAccounts.$inferSelect;
type StatusT = typeof ConnectStatus._output;

/** Rows find their org from an account id by this hash; the id itself is only stored sealed. */
const accountLookup = (accountId: string) => sha256Hex(accountId);

const NOT_CONNECTED: StatusT = {
  connected: false,
  chargesEnabled: false,
  payoutsEnabled: false,
  detailsSubmitted: false,
  payoutProblem: null,
  disconnected: false,
};

const toStatus = (row: ConnectAccountRow | undefined): StatusT =>
  row
    ? {
        connected: true,
        chargesEnabled: row.chargesEnabled,
        payoutsEnabled: row.payoutsEnabled,
        detailsSubmitted: row.detailsSubmitted,
        payoutProblem: row.payoutFailureId
          ? { payoutId: row.payoutFailureId, code: row.payoutFailureCode, message: row.payoutFailureMessage ?? "The payout failed" }
          : null,
        disconnected: row.deauthorizedAt !== null,
      }
    : NOT_CONNECTED;

/** Where an org sees its Connect state and continues onboarding. */
const PAYOUTS_LINK = "/dashboard/payouts";

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

/** A new Express account for the org; the idempotency key makes concurrent requests share one. */
const createAccount = (env: Ctx["env"], orgId: string, idempotencyKey: string) =>
  stripeFor(env).accounts.create(
    {
      type: "express",
      capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
      metadata: { plaza_org_id: orgId },
    },
    { idempotencyKey },
  );

/**
 * The org's Express account, created on first use. The idempotency key is the org, so concurrent
 * first requests make one account; the insert that loses the race changes nothing. A disconnected
 * account is gone for Plaza, so reconnecting makes a new one (keyed by the one it replaces).
 */
async function ensureAccount(ctx: Ctx, { orgId, actorUserId }: { orgId: string; actorUserId: string }): Promise<string> {
  const row = await findRow(ctx.db, orgId);
  if (row?.deauthorizedAt) return reconnect(ctx, { row, actorUserId });
  if (row) return open(ctx.env.ENCRYPTION_KEYS, row.accountIdEncrypted);
  const { env, db } = ctx;
  const account = await createAccount(env, orgId, `connect-account:${orgId}`);
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
 * Onboarding after a disconnection: a new account replaces the old one on the org's row (only
 * if it is still the disconnected one), with the payout state of the old account dropped. Its
 * charges start off, so paid items come back on sale when the author finishes onboarding.
 */
async function reconnect(ctx: Ctx, { row, actorUserId }: { row: ConnectAccountRow; actorUserId: string }): Promise<string> {
  const { env, db } = ctx;
  const account = await createAccount(env, row.orgId, `connect-account:${row.orgId}:after:${row.accountLookup}`);
  const [replaced] = await db.batch([
    db
      .update(connectAccounts)
      .set({
        accountIdEncrypted: await seal(env.ENCRYPTION_KEYS, account.id),
        accountLookup: await accountLookup(account.id),
        ...flagsOf(account),
        ...NO_PAYOUT_PROBLEM,
        lastPaidPayoutCreated: null,
        deauthorizedAt: null,
        updatedAt: Date.now(),
      })
      .where(and(eq(connectAccounts.orgId, row.orgId), eq(connectAccounts.accountLookup, row.accountLookup)))
      .returning({ orgId: connectAccounts.orgId }),
    auditInsert(ctx, { action: "connect.account_reconnected", orgId: row.orgId, actorUserId, targetType: "org", targetId: row.orgId }),
  ]);
  if (replaced.length > 0) await ctx.events.emit("connect.sale_changed", { orgId: row.orgId });
  return (await accountIdOf(ctx, row.orgId))!;
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
  // A disconnected account cannot be read any more: what was last known stands.
  if (!row || row.chargesEnabled || row.deauthorizedAt) return toStatus(row);
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
  if (row?.deauthorizedAt) throw new AppError("seller_disconnected", "Reconnect your Stripe account through onboarding first");
  if (!row?.detailsSubmitted) throw new AppError("conflict", "Finish payout onboarding before opening the Stripe dashboard");
  const link = await stripeFor(env).accounts.createLoginLink(await open(env.ENCRYPTION_KEYS, row.accountIdEncrypted));
  return { url: link.url, expiresAt: null };
}

/** The connected account a checkout pays, refused while it cannot take charges or was disconnected. */
export async function chargeableAccountId({ env, db }: Pick<Ctx, "env" | "db">, orgId: string): Promise<string> {
  const row = await findRow(db, orgId);
  if (row?.deauthorizedAt) throw new AppError("seller_disconnected", "This author's paid items are not available for purchase right now");
  if (!row?.chargesEnabled) throw new AppError("charges_disabled", "This author cannot take payments yet");
  return open(env.ENCRYPTION_KEYS, row.accountIdEncrypted);
}

/** `account.updated`: mirror the flags; re-fetched, so an old event never overrides a newer state. */
export async function applyAccountUpdate(ctx: Ctx, accountId: string) {
  const { env, db } = ctx;
  const row = await findRowOfAccount(db, accountId);
  // A disconnected account cannot be retrieved any more; reconnecting starts from a new account.
  if (!row || row.deauthorizedAt) return false;
  const flags = flagsOf(await stripeFor(env).accounts.retrieve(accountId));
  const changed =
    flags.chargesEnabled !== row.chargesEnabled ||
    flags.payoutsEnabled !== row.payoutsEnabled ||
    flags.detailsSubmitted !== row.detailsSubmitted;
  if (!changed) return true;
  const notice = await accountProblemNotice(ctx, row, flags);
  await db.batch([
    db
      .update(connectAccounts)
      .set({ ...flags, updatedAt: Date.now() })
      .where(eq(connectAccounts.orgId, row.orgId)),
    auditInsert(ctx, { action: "connect.account_updated", orgId: row.orgId, targetType: "org", targetId: row.orgId, metadata: flags }),
    ...notice.statements,
  ]);
  await enqueueMail(ctx, notice.mailIds);
  return true;
}

/**
 * Stripe took away charges or payouts the account had (it needs more information, or found a
 * problem): the org's admins are told where to fix it. Keyed by the state it changed from, so
 * the same event delivered twice tells them once.
 */
async function accountProblemNotice(ctx: Ctx, row: ConnectAccountRow, flags: ReturnType<typeof flagsOf>) {
  const lost = [row.chargesEnabled && !flags.chargesEnabled && "charges", row.payoutsEnabled && !flags.payoutsEnabled && "payouts"].filter(
    (what): what is string => typeof what === "string",
  );
  if (lost.length === 0) return { statements: [], mailIds: [] };
  return notificationStatements(ctx, {
    type: "payout_problem",
    recipients: { orgId: row.orgId, minRole: "admin" },
    title: `Stripe paused ${lost.join(" and ")} for your account`,
    body: "Stripe needs more information or found a problem with your payments account. Open Payouts and continue onboarding to see what is due.",
    link: PAYOUTS_LINK,
    orgId: row.orgId,
    cause: `account:${row.accountLookup}:${row.updatedAt}`,
  });
}

/** The org owning a connected account (for Connect events such as payouts). */
export async function orgOfAccount(db: Db, accountId: string) {
  return (await findRowOfAccount(db, accountId))?.orgId;
}

/** Whether the org disconnected Plaza from its Stripe account: its paid items are off sale. */
export async function isDisconnected(db: Db, orgId: string): Promise<boolean> {
  return (await findRow(db, orgId))?.deauthorizedAt != null;
}

const NO_PAYOUT_PROBLEM = { payoutFailureId: null, payoutFailureCode: null, payoutFailureMessage: null, payoutFailureCreated: null };

/**
 * `payout.failed` (a Connect event): the payout is re-fetched from the account; if it failed, it
 * becomes the payouts' problem unless a payout paid after it (or a newer failure) is known, so
 * events in any order end in the same state. The org's admins are notified once per payout (ids
 * derived from the payout). Answers false for an account or payout Plaza does not know.
 */
export async function recordPayoutFailure(ctx: Ctx, { accountId, payoutId }: { accountId: string; payoutId: string }) {
  const { env, db } = ctx;
  const row = await findRowOfAccount(db, accountId);
  if (!row || row.deauthorizedAt) return false;
  const payout = await stripeFor(env).payouts.retrieve(payoutId, {}, { stripeAccount: accountId });
  if (payout.status !== "failed") return false;
  const message = payout.failure_message ?? "The bank refused the payout";
  const org = await findOrg(db, row.orgId);
  const amount = formatMoney(payout.amount, payout.currency);
  const notice = await notificationStatements(ctx, {
    type: "payout_problem",
    recipients: { orgId: row.orgId, minRole: "admin" },
    title: `A payout of ${amount} failed`,
    body: `${message.replace(/\.?$/, ".")} Check the bank account in your Stripe payouts settings; the money stays on your balance until a payout succeeds.`,
    link: PAYOUTS_LINK,
    orgId: row.orgId,
    cause: payout.id,
    mail: payoutFailedMail(org?.name ?? "your org", amount, message, `${env.APP_URL}${PAYOUTS_LINK}`),
  });
  const newerKnown = or(
    gt(connectAccounts.lastPaidPayoutCreated, payout.created),
    gt(connectAccounts.payoutFailureCreated, payout.created),
    and(eq(connectAccounts.payoutFailureCreated, payout.created), sql`${connectAccounts.payoutFailureId} >= ${payout.id}`),
  );
  await db.batch([
    db
      .update(connectAccounts)
      .set({
        payoutFailureId: payout.id,
        payoutFailureCode: payout.failure_code,
        payoutFailureMessage: message,
        payoutFailureCreated: payout.created,
        updatedAt: Date.now(),
      })
      .where(and(eq(connectAccounts.accountLookup, row.accountLookup), sql`NOT coalesce(${newerKnown}, 0)`)),
    ...notice.statements,
  ]);
  await enqueueMail(ctx, notice.mailIds);
  return true;
}

/**
 * A payout was paid (`payout.paid`, booked by the ledger): a failure from before it is cleared.
 * Ties keep the failure, in either order; `created` is the payout's own, which never changes.
 */
export async function recordPayoutPaid(db: Db, { accountId, created }: { accountId: string; created: number }) {
  const lookup = await accountLookup(accountId);
  await db.batch([
    db
      .update(connectAccounts)
      .set({ lastPaidPayoutCreated: created })
      .where(
        and(
          eq(connectAccounts.accountLookup, lookup),
          or(isNull(connectAccounts.lastPaidPayoutCreated), lt(connectAccounts.lastPaidPayoutCreated, created)),
        ),
      ),
    db
      .update(connectAccounts)
      .set({ ...NO_PAYOUT_PROBLEM, updatedAt: Date.now() })
      .where(and(eq(connectAccounts.accountLookup, lookup), lt(connectAccounts.payoutFailureCreated, created))),
  ]);
}

/**
 * `account.application.deauthorized`: the author disconnected Plaza in Stripe. Verified by asking
 * Stripe for the account (a connected account answers; a disconnected one is refused), then the
 * org's paid items go off sale until it reconnects through onboarding. Answers false otherwise.
 */
export async function applyDeauthorization(ctx: Ctx, accountId: string) {
  const { env, db } = ctx;
  const row = await findRowOfAccount(db, accountId);
  if (!row) return false;
  if (row.deauthorizedAt) return true;
  const stillConnected = await stripeFor(env)
    .accounts.retrieve(accountId)
    .then(
      () => true,
      (err: unknown) => {
        if (err instanceof Stripe.errors.StripeError && (err.code === "account_invalid" || err.type === "StripePermissionError"))
          return false;
        throw err;
      },
    );
  if (stillConnected) return false;
  const [marked] = await db
    .update(connectAccounts)
    .set({ deauthorizedAt: Date.now(), updatedAt: Date.now() })
    .where(and(eq(connectAccounts.accountLookup, row.accountLookup), isNull(connectAccounts.deauthorizedAt)))
    .returning({ orgId: connectAccounts.orgId });
  if (!marked) return true;
  await auditInsert(ctx, { action: "connect.account_deauthorized", orgId: row.orgId, targetType: "org", targetId: row.orgId });
  await ctx.events.emit("connect.sale_changed", { orgId: row.orgId });
  return true;
}
