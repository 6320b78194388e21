/**
 * Admissions: on every connect, after verifying the token, the room asks whether its holder may
 * come in now and with which role. The answer comes from D1 as it is, not from the token: the
 * project exists, the user is a member of its org, the token's session is live, and the role is
 * the lower of the token's and the user's project role now. So a token minted before an access
 * change admits nobody the change shut out, however often the client reconnects with it.
 */
import { and, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import type { RoomAdmission, RoomAdmissionRequest } from "../../../shared/room-callbacks";
import { ROOM_TOKEN_MAX_TTL_SECONDS, type RoomRole } from "../../../shared/room-token";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { memberships, projects, roomAdmissions, sessions } from "../db/schema";
import { forbidden, notFound } from "../http/errors";
import type { Job } from "../module";
import { projectRoleSql } from "../projects/access";

/**
 * Checks and records in one statement: the admission row is inserted only if access holds when it
 * runs. An access change committed before it leaves nothing to insert (refused); one committed
 * after finds the row (access-changes.ts) and disconnects the socket. No join slips between.
 */
export async function admit(db: Db, roomId: string, request: RoomAdmissionRequest, now = Date.now()): Promise<RoomAdmission> {
  const role = sql<RoomRole>`CASE WHEN ${request.role} = 'write' THEN ${projectRoleSql(memberships.role, projects.memberRole)} ELSE 'read' END`;
  const admitted = await db
    .insert(roomAdmissions)
    .select(
      db
        .select({
          id: sql<string>`${newId("roomAdmission")}`.as("id"),
          projectId: projects.id,
          orgId: projects.orgId,
          userId: memberships.userId,
          sessionId: sessions.id,
          role: role.as("role"),
          connectionId: sql<string>`${request.connectionId}`.as("connection_id"),
          admittedAt: sql<number>`${now}`.as("admitted_at"),
          // The socket closes at the token's expiry, which is never further off than this.
          expiresAt: sql<number>`${Math.min(request.tokenExpiresAt, now + ROOM_TOKEN_MAX_TTL_SECONDS * 1000)}`.as("expires_at"),
        })
        .from(projects)
        .innerJoin(memberships, and(eq(memberships.orgId, projects.orgId), eq(memberships.userId, request.userId)))
        .innerJoin(
          sessions,
          and(
            eq(sessions.id, request.sessionId),
            eq(sessions.userId, request.userId),
            isNull(sessions.revokedAt),
            gt(sessions.expiresAt, now),
          ),
        )
        .where(eq(projects.id, roomId)),
    )
    .returning({ role: roomAdmissions.role });
  const row = admitted[0];
  if (row) return { role: row.role };
  const project = await db.query.projects.findFirst({ where: eq(projects.id, roomId), columns: { id: true } });
  if (!project) throw notFound("Room");
  throw forbidden("No access to this project now: not a member of its org, or the session has ended");
}

/** Maintenance: an admission whose token expired has no socket left to find. */
export const purgeExpiredAdmissions: Job = async ({ db, now, batchSize }) => {
  const expired = db.select({ id: roomAdmissions.id }).from(roomAdmissions).where(lt(roomAdmissions.expiresAt, now)).limit(batchSize);
  const deleted = await db.delete(roomAdmissions).where(inArray(roomAdmissions.id, expired)).returning({ id: roomAdmissions.id });
  return deleted.length;
};
