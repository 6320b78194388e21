/**
 * Admissions: on every connect, after verifying the token, the room asks whether its holder may
 * come in now and with which role. The answer comes from D1 as it is, not from the token: the
 * project exists, the user is a member of its org, the token's session is live, and the role is
 * the lower of the token's and the user's project role now. So a token minted before an access
 * change admits nobody the change shut out, however often the client reconnects with it.
 */
import { inArray, lt, sql } from "drizzle-orm";
import type { RoomAdmission, RoomAdmissionRequest } from "../../../shared/room-callbacks";
import { ROOM_TOKEN_MAX_TTL_SECONDS, type RoomRole } from "../../../shared/room-token";
import { sessionIsLiveSql } from "../auth";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import { forbidden, notFound } from "../http/errors";
import type { Job } from "../module";
import { findProject, projectRoleNow } from "../projects";
import { roomAdmissions } from "./tables";

/**
 * Checks and records in one statement: the admission row is inserted only if access holds when it
 * runs. An access change committed before it leaves nothing to insert (refused); one committed
 * after finds the row (access-changes.ts) and disconnects the socket. No join slips between.
 */
export async function admit(
  ctx: Pick<Ctx, "db">,
  { roomId, request }: { roomId: string; request: RoomAdmissionRequest },
  now = Date.now(),
): Promise<RoomAdmission> {
  const { db } = ctx;
  const access = projectRoleNow(db, roomId, request.userId).as("access");
  const role = sql<RoomRole>`CASE WHEN ${request.role} = 'write' THEN ${access.projectRole} ELSE 'read' END`;
  const admitted = await db
    .insert(roomAdmissions)
    .select(
      // In the table's column order: INSERT … SELECT fills the columns by position.
      db
        .select({
          id: sql<string>`${newId("roomAdmission")}`.as("id"),
          projectId: access.projectId,
          orgId: access.orgId,
          userId: sql<string>`${request.userId}`.as("user_id"),
          sessionId: sql<string>`${request.sessionId}`.as("session_id"),
          role: role.as("role"),
          connectionId: sql<string>`${request.connectionId}`.as("connection_id"),
          admittedAt: sql<number>`${now}`.as("admitted_at"),
          // The socket closes at the token's expiry, which is never further off than this.
          expiresAt: sql<number>`${Math.min(request.tokenExpiresAt, now + ROOM_TOKEN_MAX_TTL_SECONDS * 1000)}`.as("expires_at"),
        })
        .from(access)
        .where(sessionIsLiveSql(request.sessionId, request.userId, now)),
    )
    .returning({ role: roomAdmissions.role });
  const row = admitted[0];
  if (row) return { role: row.role };
  if (!(await findProject(db, roomId))) throw notFound("Room");
  throw forbidden("No access to this project now: not a member of its org, or the session has ended");
}

/** Maintenance: an admission whose token expired has no socket left to find. */
export const purgeExpiredAdmissions: Job = async ({ db, now, batchSize }) => {
  const expired = db.select({ id: roomAdmissions.id }).from(roomAdmissions).where(lt(roomAdmissions.expiresAt, now)).limit(batchSize);
  const deleted = await db.delete(roomAdmissions).where(inArray(roomAdmissions.id, expired)).returning({ id: roomAdmissions.id });
  return deleted.length;
};
