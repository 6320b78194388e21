/**
 * What a project's members ask of its live room through the API: a token to join it, a snapshot
 * of the document as the room holds it now, and a restore (the room replaces its content). The
 * snapshots themselves are projects' (stored, found and audited there).
 */
import { truncateText } from "../../../shared/text";
import type { Ctx } from "../context";
import { requireSession } from "../http/access";
import { type ProjectAccess, recordSnapshotRestored, saveManualSnapshot, snapshotToRestore } from "../projects";
import { askRoomForSnapshot, askRoomToRestore, roomsHost } from "./control";
import { mintRoomToken } from "./token";

/** A room token for the caller's session, with the role they have in the project now. */
export async function issueRoomToken(ctx: Ctx, access: ProjectAccess) {
  const session = requireSession(access.principal);
  const minted = await mintRoomToken(ctx.env.ROOM_TOKEN_SECRET, {
    sub: session.userId,
    room: access.project.id,
    role: access.projectRole,
    name: truncateText(session.user.name.trim(), 100) || "Someone",
    sid: session.sessionId,
  });
  return {
    token: minted.token,
    expiresAt: minted.expiresAt,
    roomId: access.project.id,
    host: roomsHost(ctx.env),
    role: access.projectRole,
  };
}

/** A manual snapshot of the live document, asked of the room (a room with nothing loaded: the latest stored state). */
export async function snapshotNow(ctx: Ctx, access: ProjectAccess) {
  const live = await askRoomForSnapshot(ctx.env, access.project.id);
  return saveManualSnapshot(ctx, { access, live });
}

/** Sends the snapshot to the room, which replaces its content and then saves a `restore` snapshot. */
export async function restoreSnapshot(ctx: Ctx, { access, snapshotId }: { access: ProjectAccess; snapshotId: string }) {
  const bytes = await snapshotToRestore(ctx, { projectId: access.project.id, snapshotId });
  await askRoomToRestore(ctx.env, access.project.id, bytes);
  return recordSnapshotRestored(ctx, { access, snapshotId });
}
