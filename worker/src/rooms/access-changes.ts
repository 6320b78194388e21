/**
 * When someone's access to an org's projects changes (removed from the org, a new org role, a
 * project made read-only for members, sessions ended), the rooms they are in close their sockets
 * (4003) at once: the handlers of those changes' events (access-events.ts) call `disconnectFromRooms`.
 *
 * Which rooms: every admission (admissions.ts) whose token has not expired, since a socket lives
 * at most one token. The room records nothing itself: what keeps a closed socket out is that its
 * reconnect asks for admission again and the Worker answers from the new state. So this is the
 * prompt half; a room that cannot be reached just keeps a socket until its token expires.
 */
import { and, eq, gt, inArray, type SQL } from "drizzle-orm";
import type { DisconnectBody } from "../../../shared/room-callbacks";
import type { Ctx } from "../context";
import { chunked } from "../db/chunked";
import type { Db } from "../db/client";
import { memberRoleSql } from "../orgs";
import { askRoomToDisconnect } from "./control";
import { roomAdmissions } from "./tables";

/** Whose sockets to close. */
export type Whom =
  /** Removed from the org, or an org role that may lower their project roles. */
  | { orgId: string; userIds: string[] }
  /** A project made read-only for members: its plain members who were admitted to write. */
  | { orgId: string; projectId: string; plainMembers: true }
  /** Sessions of a user that ended (logout, revoked, a password change, a replayed refresh token). */
  | { userId: string; sessionIds: string[] };

/** The admissions to look at, one condition per statement (long id lists split). */
function admittedWhere(whom: Whom): SQL[] {
  if ("sessionIds" in whom)
    return chunked(whom.sessionIds).map((ids) => and(eq(roomAdmissions.userId, whom.userId), inArray(roomAdmissions.sessionId, ids))!);
  if ("userIds" in whom)
    return chunked(whom.userIds).map((ids) => and(eq(roomAdmissions.orgId, whom.orgId), inArray(roomAdmissions.userId, ids))!);
  return [
    and(
      eq(roomAdmissions.projectId, whom.projectId),
      eq(roomAdmissions.role, "write"),
      eq(memberRoleSql(whom.orgId, roomAdmissions.userId), "member"),
    )!,
  ];
}

/** Per room, what to ask it to close: the users, or (when sessions ended) only those sessions. */
async function socketsToClose(db: Db, whom: Whom, now: number): Promise<Map<string, DisconnectBody>> {
  const found = await Promise.all(
    admittedWhere(whom).map((where) =>
      db
        .selectDistinct({ projectId: roomAdmissions.projectId, userId: roomAdmissions.userId, sessionId: roomAdmissions.sessionId })
        .from(roomAdmissions)
        .where(and(where, gt(roomAdmissions.expiresAt, now))),
    ),
  );
  const bySession = "sessionIds" in whom;
  const byRoom = new Map<string, { userIds: Set<string>; sessionIds: Set<string> }>();
  for (const r of found.flat()) {
    const room = byRoom.get(r.projectId) ?? { userIds: new Set(), sessionIds: new Set() };
    if (bySession) room.sessionIds.add(r.sessionId);
    else room.userIds.add(r.userId);
    byRoom.set(r.projectId, room);
  }
  return new Map([...byRoom].map(([roomId, ids]) => [roomId, { userIds: [...ids.userIds], sessionIds: [...ids.sessionIds] }]));
}

/** Asks each room the users or sessions were admitted to to close their sockets; failures are logged, never thrown. */
export async function disconnectFromRooms(ctx: Pick<Ctx, "env" | "db" | "log">, whom: Whom, now = Date.now()): Promise<void> {
  try {
    const byRoom = await socketsToClose(ctx.db, whom, now);
    await Promise.all(
      [...byRoom].map(([roomId, body]) =>
        askRoomToDisconnect(ctx.env, roomId, body).catch((err: unknown) =>
          ctx.log("warn", "room could not disconnect sockets whose access changed", { roomId, error: String(err) }),
        ),
      ),
    );
  } catch (err) {
    ctx.log("error", "finding the rooms of users whose access changed failed", { error: String(err) });
  }
}
