/** Members and their roles: one owner always remains; owners are touched only by owners. */
import { and, asc, eq, sql } from "drizzle-orm";
import type { MemberT } from "../../../shared/api";
import type { Role } from "../../../shared/roles";
import { auditInsertIf } from "../audit";
import { clearActiveOrg, userEmailSql, userNameSql } from "../auth";
import type { Ctx } from "../context";
import type { Db } from "../db/client";
import type { OrgAccess } from "../http/access";
import { AppError } from "../http/errors";
import { memberships, orgs } from "./tables";

export async function listMembers(ctx: Pick<Ctx, "db">, input: { orgId: string }): Promise<MemberT[]> {
  return ctx.db
    .select({
      userId: memberships.userId,
      email: userEmailSql(memberships.userId),
      name: userNameSql(memberships.userId),
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .where(eq(memberships.orgId, input.orgId))
    .orderBy(asc(memberships.createdAt));
}

export async function membershipOf(db: Db, orgId: string, userId: string) {
  const [row] = await db
    .select()
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .limit(1);
  if (!row) throw new AppError("not_found", "Member not found");
  return row;
}

/** Only owners may touch owners or make new ones; admins manage members and admins. */
export function assertMayManage(access: OrgAccess, targetRole: Role, newRole?: Role) {
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

const lastOwner = () => new AppError("last_owner", "An org must keep at least one owner; make someone else owner first");

/**
 * Answers the member as now, and the role they had before. Made a plain member, their project
 * roles may fall to read (`org.access_changed`): they come back as what they are now.
 */
export async function changeRole(
  ctx: Ctx,
  input: { access: OrgAccess; userId: string; role: Role },
): Promise<{ member: MemberT; previousRole: Role }> {
  const { db } = ctx;
  const { access, userId, role } = input;
  const target = await membershipOf(db, access.orgId, userId);
  assertMayManage(access, target.role, role);
  const member = async () => (await listMembers(ctx, { orgId: access.orgId })).find((m) => m.userId === userId)!;
  if (target.role === role) return { member: await member(), previousRole: target.role };
  const [updated] = await db.batch([
    db
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.orgId, access.orgId), eq(memberships.userId, userId), otherOwnerExists(access.orgId, userId)))
      .returning({ userId: memberships.userId }),
    auditInsertIf(
      ctx,
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
  if (role === "member") await ctx.events.emit("org.access_changed", { orgId: access.orgId, userIds: [userId], kind: "demoted" });
  return { member: await member(), previousRole: target.role };
}

/** Admins remove others; anyone may leave. The last owner can do neither (`org.access_changed`). */
export async function removeMember(ctx: Ctx, input: { access: OrgAccess; userId: string }) {
  const { db } = ctx;
  const { access, userId } = input;
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
      ctx,
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
  await clearActiveOrg(db, userId, access.orgId);
  await ctx.events.emit("org.access_changed", { orgId: access.orgId, userIds: [userId], kind: "removed" });
}
