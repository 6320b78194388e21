/** Invitations by e-mail: a link valid 7 days, accepted by the account with that verified address. */
import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import type { InviteT, OrgT } from "../../../shared/api";
import type { Role } from "../../../shared/roles";
import { auditInsert } from "../audit";
import { activeOrgIfUnset, findAccount, findAccountByEmail } from "../auth";
import type { Ctx } from "../context";
import { sha256Hex } from "../crypto/hash";
import { newId, newSecret } from "../crypto/random";
import type { OrgAccess } from "../http/access";
import { AppError } from "../http/errors";
import { enqueueMail, inviteMail, mailInsert } from "../mail";
import { assertMayManage, membershipOf } from "./members";
import { findOrg } from "./queries";
import { invites, memberships } from "./tables";

const INVITE_TTL_MS = 7 * 86_400_000;

function toInvite(row: typeof invites.$inferSelect): InviteT {
  return { id: row.id, email: row.email, role: row.role, createdAt: row.createdAt, expiresAt: row.expiresAt, invitedBy: row.invitedBy };
}

export async function listInvites(ctx: Ctx, input: { orgId: string }): Promise<InviteT[]> {
  const rows = await ctx.db
    .select()
    .from(invites)
    .where(and(eq(invites.orgId, input.orgId), isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, Date.now())))
    .orderBy(asc(invites.createdAt));
  return rows.map(toInvite);
}

async function isMember(ctx: Ctx, orgId: string, email: string) {
  const user = await findAccountByEmail(ctx.db, email);
  if (!user) return false;
  const [row] = await ctx.db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, user.id)))
    .limit(1);
  return row !== undefined;
}

/** Inviting an address again replaces its open invite (and its link). */
export async function createInvite(ctx: Ctx, input: { access: OrgAccess; email: string; role: Role }): Promise<InviteT> {
  const { db, env } = ctx;
  const { access, email, role } = input;
  assertMayManage(access, "member", role);
  if (await isMember(ctx, access.orgId, email)) throw new AppError("conflict", `${email} is already a member`);

  const [org, inviter] = await Promise.all([findOrg(db, access.orgId), findAccount(db, access.principal.userId)]);
  const token = newSecret("it");
  const now = Date.now();
  const row = {
    id: newId("invite"),
    orgId: access.orgId,
    email,
    role,
    tokenHash: await sha256Hex(token),
    invitedBy: access.principal.userId,
    createdAt: now,
    expiresAt: now + INVITE_TTL_MS,
    acceptedAt: null,
    revokedAt: null,
  };
  const url = `${env.APP_URL}/invites/accept?token=${encodeURIComponent(token)}`;
  const [orgName, inviterName] = [org?.name ?? "an org", inviter?.name ?? "Someone"];
  const mail = await mailInsert(ctx, { to: email, mail: inviteMail(inviterName, orgName, role, url) });
  await db.batch([
    db
      .update(invites)
      .set({ revokedAt: now })
      .where(and(eq(invites.orgId, access.orgId), eq(invites.email, email), isNull(invites.acceptedAt), isNull(invites.revokedAt))),
    db.insert(invites).values(row),
    mail.insert,
    auditInsert(ctx, {
      action: "invite.created",
      orgId: access.orgId,
      actorUserId: access.principal.userId,
      targetType: "invite",
      targetId: row.id,
      metadata: { email, role },
    }),
    ...(await ctx.events.emit("org.invite_created", { orgId: access.orgId, orgName, inviteId: row.id, email, inviterName, role, now })),
  ]);
  await enqueueMail(ctx, [mail.id]);
  return toInvite(row);
}

export async function revokeInvite(ctx: Ctx, input: { access: OrgAccess; inviteId: string }) {
  const { db } = ctx;
  const { access, inviteId } = input;
  const [revoked] = await db.batch([
    db
      .update(invites)
      .set({ revokedAt: Date.now() })
      .where(and(eq(invites.id, inviteId), eq(invites.orgId, access.orgId), isNull(invites.acceptedAt), isNull(invites.revokedAt)))
      .returning({ id: invites.id }),
    auditInsert(ctx, {
      action: "invite.revoked",
      orgId: access.orgId,
      actorUserId: access.principal.userId,
      targetType: "invite",
      targetId: inviteId,
    }),
  ]);
  if (revoked.length === 0) throw new AppError("not_found", "Invite not found");
}

/**
 * Accepts an invite for the signed-in user, whose verified e-mail must be the invited one.
 * Claiming the invite and adding the membership happen in one batch, guarded by the claim.
 */
export async function acceptInvite(ctx: Ctx, input: { userId: string; token: string }): Promise<OrgT> {
  const { db } = ctx;
  const { userId } = input;
  const now = Date.now();
  const [invite] = await db
    .select()
    .from(invites)
    .where(eq(invites.tokenHash, await sha256Hex(input.token)))
    .limit(1);
  if (!invite || invite.revokedAt || invite.acceptedAt)
    throw new AppError("token_invalid", "This invitation is invalid or was already used");
  if (invite.expiresAt <= now) throw new AppError("token_expired", "This invitation has expired; ask for a new one");
  const user = await findAccount(db, userId);
  if (!user || user.email !== invite.email) {
    throw new AppError("forbidden", "This invitation was sent to another e-mail address; log in with that address");
  }
  const open = and(eq(invites.id, invite.id), isNull(invites.acceptedAt), isNull(invites.revokedAt));
  const [, claimed] = await db.batch([
    db
      .insert(memberships)
      .select(
        db
          .select({
            orgId: invites.orgId,
            userId: sql<string>`${userId}`.as("user_id"),
            role: invites.role,
            createdAt: sql<number>`${now}`.as("created_at"),
          })
          .from(invites)
          .where(open),
      )
      .onConflictDoNothing(),
    db.update(invites).set({ acceptedAt: now }).where(open).returning({ id: invites.id }),
    activeOrgIfUnset(db, userId, invite.orgId),
    auditInsert(ctx, {
      action: "invite.accepted",
      orgId: invite.orgId,
      actorUserId: userId,
      targetType: "invite",
      targetId: invite.id,
      metadata: { role: invite.role },
    }),
  ]);
  if (claimed.length === 0) throw new AppError("token_invalid", "This invitation is invalid or was already used");
  const [membership, org] = await Promise.all([membershipOf(db, invite.orgId, userId), findOrg(db, invite.orgId)]);
  return { id: org!.id, slug: org!.slug, name: org!.name, createdAt: org!.createdAt, role: membership.role };
}
