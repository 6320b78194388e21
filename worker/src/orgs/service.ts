import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import type { InviteT, MemberT, OrgT } from "../../../shared/api";
import type { Role } from "../../../shared/roles";
import { auditInsert, auditInsertIf } from "../audit";
import type { RequestMeta } from "../context";
import { sha256Hex } from "../crypto/hash";
import { newId, newSecret } from "../crypto/random";
import type { Db } from "../db/client";
import { invites, memberships, orgs, users } from "../db/schema";
import type { Env } from "../env";
import type { OrgAccess } from "../http/access";
import { AppError } from "../http/errors";
import { enqueueMail, inviteMail, mailInsert } from "../mail";
import { disconnectFromRooms } from "../rooms/access-changes";

const INVITE_TTL_MS = 7 * 86_400_000;

export async function createOrg(db: Db, meta: RequestMeta, userId: string, input: { name: string; slug: string }): Promise<OrgT> {
  const taken = await db.query.orgs.findFirst({ columns: { id: true }, where: eq(orgs.slug, input.slug) });
  if (taken) throw new AppError("conflict", `The slug "${input.slug}" is taken`, { fields: { "body.slug": ["is taken"] } });
  const org = { id: newId("org"), slug: input.slug, name: input.name, createdAt: Date.now() };
  try {
    await db.batch([
      db.insert(orgs).values(org),
      db.insert(memberships).values({ orgId: org.id, userId, role: "owner", createdAt: org.createdAt }),
      // The first org a user creates becomes their active one.
      db
        .update(users)
        .set({ activeOrgId: org.id })
        .where(and(eq(users.id, userId), isNull(users.activeOrgId))),
      auditInsert(
        { db, meta },
        {
          action: "org.created",
          orgId: org.id,
          actorUserId: userId,
          targetType: "org",
          targetId: org.id,
          metadata: { slug: org.slug },
        },
      ),
    ]);
  } catch (err) {
    if (String(err).includes("UNIQUE"))
      throw new AppError("conflict", `The slug "${input.slug}" is taken`, { fields: { "body.slug": ["is taken"] } });
    throw err;
  }
  return { ...org, role: "owner" };
}

export async function getOrg(db: Db, access: OrgAccess): Promise<OrgT> {
  const org = await db.query.orgs.findFirst({ where: eq(orgs.id, access.orgId) });
  if (!org) throw new AppError("not_found", "Org not found");
  return { id: org.id, slug: org.slug, name: org.name, createdAt: org.createdAt, role: access.role };
}

export async function updateOrg(db: Db, meta: RequestMeta, access: OrgAccess, input: { name: string }): Promise<OrgT> {
  await db.batch([
    db.update(orgs).set({ name: input.name }).where(eq(orgs.id, access.orgId)),
    auditInsert(
      { db, meta },
      {
        action: "org.updated",
        orgId: access.orgId,
        actorUserId: access.principal.userId,
        targetType: "org",
        targetId: access.orgId,
        metadata: { name: input.name },
      },
    ),
  ]);
  return getOrg(db, access);
}

export async function listMembers(db: Db, orgId: string): Promise<MemberT[]> {
  const rows = await db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, orgId))
    .orderBy(asc(memberships.createdAt));
  return rows;
}

async function membershipOf(db: Db, orgId: string, userId: string) {
  const row = await db.query.memberships.findFirst({ where: and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)) });
  if (!row) throw new AppError("not_found", "Member not found");
  return row;
}

/** Only owners may touch owners or make new ones; admins manage members and admins. */
function assertMayManage(access: OrgAccess, targetRole: Role, newRole?: Role) {
  if ((targetRole === "owner" || newRole === "owner") && access.role !== "owner") {
    throw new AppError("forbidden", "Only an owner can change owners");
  }
}

/**
 * Guards "at least one owner remains" inside the statement itself, so two owners demoting each
 * other at the same moment cannot both succeed.
 */
const otherOwnerExists = (orgId: string, userId: string) =>
  sql`(${memberships.role} <> 'owner' OR EXISTS (SELECT 1 FROM memberships m2 WHERE m2.org_id = ${orgId} AND m2.role = 'owner' AND m2.user_id <> ${userId}))`;

/**
 * Answers the member as now, and the role they had before. Made a plain member, their project
 * roles may fall to read: their room sockets are closed, and they come back as what they are now.
 */
export async function changeRole(
  db: Db,
  env: Env,
  meta: RequestMeta,
  access: OrgAccess,
  userId: string,
  role: Role,
): Promise<{ member: MemberT; previousRole: Role }> {
  const target = await membershipOf(db, access.orgId, userId);
  assertMayManage(access, target.role, role);
  const member = async () => (await listMembers(db, access.orgId)).find((m) => m.userId === userId)!;
  if (target.role === role) return { member: await member(), previousRole: target.role };
  const [updated] = await db.batch([
    db
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.orgId, access.orgId), eq(memberships.userId, userId), otherOwnerExists(access.orgId, userId)))
      .returning({ userId: memberships.userId }),
    auditInsertIf(
      { db, meta },
      {
        action: "member.role_changed",
        orgId: access.orgId,
        actorUserId: access.principal.userId,
        targetType: "user",
        targetId: userId,
        metadata: { from: target.role, to: role },
      },
      sql`EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = ${access.orgId} AND m.user_id = ${userId} AND m.role = ${role})`,
    ),
  ]);
  if (updated.length === 0) throw lastOwner();
  if (role === "member") await disconnectFromRooms(env, db, { orgId: access.orgId, userIds: [userId] });
  return { member: await member(), previousRole: target.role };
}

const lastOwner = () => new AppError("last_owner", "An org must keep at least one owner; make someone else owner first");

/** Admins remove others; anyone may leave. The last owner can do neither. Their room sockets in the org's projects close. */
export async function removeMember(db: Db, env: Env, meta: RequestMeta, access: OrgAccess, userId: string) {
  const leaving = userId === access.principal.userId;
  if (!leaving && access.role === "member") throw new AppError("forbidden", "This needs the admin role in this org");
  const target = await membershipOf(db, access.orgId, userId);
  if (!leaving) assertMayManage(access, target.role);
  const [deleted] = await db.batch([
    db
      .delete(memberships)
      .where(and(eq(memberships.orgId, access.orgId), eq(memberships.userId, userId), otherOwnerExists(access.orgId, userId)))
      .returning({ userId: memberships.userId }),
    auditInsertIf(
      { db, meta },
      {
        action: "member.removed",
        orgId: access.orgId,
        actorUserId: access.principal.userId,
        targetType: "user",
        targetId: userId,
        metadata: { role: target.role, left: leaving },
      },
      // The org too: its membership is gone either way once the org is.
      sql`EXISTS (SELECT 1 FROM ${orgs} WHERE ${orgs.id} = ${access.orgId}) AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = ${access.orgId} AND m.user_id = ${userId})`,
    ),
  ]);
  if (deleted.length === 0) throw lastOwner();
  await db
    .update(users)
    .set({ activeOrgId: null })
    .where(and(eq(users.id, userId), eq(users.activeOrgId, access.orgId)));
  await disconnectFromRooms(env, db, { orgId: access.orgId, userIds: [userId] });
}

function toInvite(row: typeof invites.$inferSelect): InviteT {
  return { id: row.id, email: row.email, role: row.role, createdAt: row.createdAt, expiresAt: row.expiresAt, invitedBy: row.invitedBy };
}

export async function listInvites(db: Db, orgId: string): Promise<InviteT[]> {
  const rows = await db.query.invites.findMany({
    where: and(eq(invites.orgId, orgId), isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, Date.now())),
    orderBy: asc(invites.createdAt),
  });
  return rows.map(toInvite);
}

/** Inviting an address again replaces its open invite (and its link). */
export async function createInvite(
  db: Db,
  env: Env,
  meta: RequestMeta,
  access: OrgAccess,
  input: { email: string; role: Role },
): Promise<InviteT> {
  assertMayManage(access, "member", input.role);
  const alreadyMember = await db
    .select({ userId: users.id })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.orgId, access.orgId)))
    .where(eq(users.email, input.email));
  if (alreadyMember.length > 0) throw new AppError("conflict", `${input.email} is already a member`);

  const org = await db.query.orgs.findFirst({ where: eq(orgs.id, access.orgId) });
  const inviter = await db.query.users.findFirst({ where: eq(users.id, access.principal.userId) });
  const token = newSecret("it");
  const now = Date.now();
  const row = {
    id: newId("invite"),
    orgId: access.orgId,
    email: input.email,
    role: input.role,
    tokenHash: await sha256Hex(token),
    invitedBy: access.principal.userId,
    createdAt: now,
    expiresAt: now + INVITE_TTL_MS,
    acceptedAt: null,
    revokedAt: null,
  };
  const url = `${env.APP_URL}/invites/accept?token=${encodeURIComponent(token)}`;
  const mail = await mailInsert(
    { env, db },
    { to: input.email, mail: inviteMail(inviter?.name ?? "Someone", org?.name ?? "an org", input.role, url) },
  );
  await db.batch([
    db
      .update(invites)
      .set({ revokedAt: now })
      .where(and(eq(invites.orgId, access.orgId), eq(invites.email, input.email), isNull(invites.acceptedAt), isNull(invites.revokedAt))),
    db.insert(invites).values(row),
    mail.insert,
    auditInsert(
      { db, meta },
      {
        action: "invite.created",
        orgId: access.orgId,
        actorUserId: access.principal.userId,
        targetType: "invite",
        targetId: row.id,
        metadata: { email: input.email, role: input.role },
      },
    ),
  ]);
  await enqueueMail({ env }, [mail.id]);
  return toInvite(row);
}

export async function revokeInvite(db: Db, meta: RequestMeta, access: OrgAccess, inviteId: string) {
  const [revoked] = await db.batch([
    db
      .update(invites)
      .set({ revokedAt: Date.now() })
      .where(and(eq(invites.id, inviteId), eq(invites.orgId, access.orgId), isNull(invites.acceptedAt), isNull(invites.revokedAt)))
      .returning({ id: invites.id }),
    auditInsert(
      { db, meta },
      {
        action: "invite.revoked",
        orgId: access.orgId,
        actorUserId: access.principal.userId,
        targetType: "invite",
        targetId: inviteId,
      },
    ),
  ]);
  if (revoked.length === 0) throw new AppError("not_found", "Invite not found");
}

/**
 * Accepts an invite for the signed-in user, whose verified e-mail must be the invited one.
 * Claiming the invite and adding the membership happen in one batch, guarded by the claim.
 */
export async function acceptInvite(db: Db, meta: RequestMeta, userId: string, token: string): Promise<OrgT> {
  const now = Date.now();
  const tokenHash = await sha256Hex(token);
  const invite = await db.query.invites.findFirst({ where: eq(invites.tokenHash, tokenHash) });
  if (!invite || invite.revokedAt || invite.acceptedAt)
    throw new AppError("token_invalid", "This invitation is invalid or was already used");
  if (invite.expiresAt <= now) throw new AppError("token_expired", "This invitation has expired; ask for a new one");
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
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
    db
      .update(users)
      .set({ activeOrgId: invite.orgId })
      .where(and(eq(users.id, userId), isNull(users.activeOrgId))),
    auditInsert(
      { db, meta },
      {
        action: "invite.accepted",
        orgId: invite.orgId,
        actorUserId: userId,
        targetType: "invite",
        targetId: invite.id,
        metadata: { role: invite.role },
      },
    ),
  ]);
  if (claimed.length === 0) throw new AppError("token_invalid", "This invitation is invalid or was already used");
  const membership = await membershipOf(db, invite.orgId, userId);
  const org = (await db.query.orgs.findFirst({ where: eq(orgs.id, invite.orgId) }))!;
  return { id: org.id, slug: org.slug, name: org.name, createdAt: org.createdAt, role: membership.role };
}
