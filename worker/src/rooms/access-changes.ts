/**
 * When someone's access to an org's projects changes (removed from the org, a new org role, a
 * project made read-only for members), the rooms they are in close their sockets (4003). They
 * come back only with a fresh room token, which says what they may do now, or is refused.
 *
 * Which rooms: those the users joined within the last two token lifetimes. A socket lives at most
 * one token (it closes at `exp` and the client joins again with a new one), so anyone still
 * connected has joined since. Best effort: a room that cannot be reached, or a join the Worker
 * has not heard of yet, still ends at the token's expiry (at most 5 minutes).
 */
import { and, eq, gt, inArray, sql } from "drizzle-orm";
import { ROOM_TOKEN_MAX_TTL_SECONDS } from "../../../shared/room-token";
import type { Db } from "../db/client";
import { memberships, projects, roomEvents } from "../db/schema";
import type { Env } from "../env";
import { log } from "../http/log";
import { askRoomToDisconnect } from "./control";

const RECENT_JOIN_MS = 2 * ROOM_TOKEN_MAX_TTL_SECONDS * 1000;

type Whom = { orgId: string; userIds: string[] } | { orgId: string; projectId: string; plainMembers: true };

/** The (room, users) pairs to disconnect: recent joins by those users, or by the org's plain members in one project. */
async function recentlyJoined(db: Db, whom: Whom, now: number) {
  const inOrg = inArray(roomEvents.projectId, db.select({ id: projects.id }).from(projects).where(eq(projects.orgId, whom.orgId)));
  const who =
    "userIds" in whom
      ? inArray(roomEvents.userId, whom.userIds)
      : and(
          eq(roomEvents.projectId, whom.projectId),
          inArray(roomEvents.userId, db.select({ id: memberships.userId }).from(memberships).where(and(eq(memberships.orgId, whom.orgId), eq(memberships.role, "member")))),
        );
  const rows = await db
    .selectDistinct({ projectId: roomEvents.projectId, userId: roomEvents.userId })
    .from(roomEvents)
    .where(and(inOrg, who, eq(roomEvents.type, "member_joined"), gt(roomEvents.at, sql`${now - RECENT_JOIN_MS}`)));
  const byRoom = new Map<string, string[]>();
  for (const r of rows) byRoom.set(r.projectId, [...(byRoom.get(r.projectId) ?? []), r.userId]);
  return byRoom;
}

/** Asks each room the users recently joined to close their sockets; failures are logged, never thrown. */
export async function disconnectFromRooms(env: Env, db: Db, whom: Whom, now = Date.now()): Promise<void> {
  try {
    const byRoom = await recentlyJoined(db, whom, now);
    await Promise.all(
      [...byRoom].map(([roomId, userIds]) =>
        askRoomToDisconnect(env, roomId, userIds).catch((err: unknown) => log("warn", "room could not disconnect users whose access changed", { roomId, users: userIds.length, error: String(err) })),
      ),
    );
  } catch (err) {
    log("error", "finding the rooms of users whose access changed failed", { orgId: whom.orgId, error: String(err) });
  }
}
