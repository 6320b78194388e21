/**
 * What the rooms tell the Worker: snapshots (stored by projects) and room events. Member
 * joined/left become audit rows, and a join a `room.member_joined` webhook event. Every row's id
 * is derived from the room's `rev_` event id, so a retried POST records nothing twice.
 */
import type { RoomEvent, SnapshotReason } from "../../../shared/room-callbacks";
import { auditInsert } from "../audit";
import type { Ctx } from "../context";
import { derivedId } from "../crypto/random";
import { notFound } from "../http/errors";
import { findProject, latestSnapshotContent, storeSnapshot } from "../projects";
import { enqueueWebhookEvents, webhookEvent } from "../webhooks";
import { roomEvents } from "./tables";

/** The project a room serves (the room id is the project id); 404 `Room` when it is gone. */
async function roomProject(ctx: Ctx, roomId: string) {
  const project = await findProject(ctx.db, roomId);
  if (!project) throw notFound("Room");
  return project;
}

/** Stores the room's document as a snapshot unless it equals the latest; answers its id and whether it is new. */
export async function saveRoomSnapshot(ctx: Ctx, { roomId, bytes, reason }: { roomId: string; bytes: Uint8Array; reason: SnapshotReason }) {
  const project = await roomProject(ctx, roomId);
  return storeSnapshot(ctx, { project, bytes, reason, dedupe: true });
}

/** The newest snapshot's bytes, what a room with empty storage loads; null when the project has none. */
export async function roomLatestSnapshot(ctx: Ctx, roomId: string) {
  const project = await roomProject(ctx, roomId);
  return latestSnapshotContent(ctx, project.id);
}

/** Records the events; answers how many were new. */
export async function recordRoomEvents(ctx: Ctx, { roomId, events }: { roomId: string; events: RoomEvent[] }) {
  const { db } = ctx;
  const project = await roomProject(ctx, roomId);
  const now = Date.now();
  const writes = await Promise.all(
    events.map(async (e) => {
      const claim = db
        .insert(roomEvents)
        .values({
          id: e.id,
          projectId: project.id,
          orgId: project.orgId,
          type: e.type,
          userId: e.userId,
          role: e.role,
          connectionId: e.connectionId,
          at: e.at,
          receivedAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: roomEvents.id });
      const audit = auditInsert(ctx, {
        id: await derivedId("audit", `room-event:${e.id}`),
        orgId: project.orgId,
        actorUserId: e.userId,
        action: e.type === "member_joined" ? "room.member_joined" : "room.member_left",
        targetType: "project",
        targetId: project.id,
        metadata: { eventId: e.id, name: e.name, role: e.role, connectionId: e.connectionId, at: e.at },
      }).onConflictDoNothing();
      const event =
        e.type === "member_joined"
          ? await webhookEvent(
              db,
              project.orgId,
              "room.member_joined",
              { projectId: project.id, userId: e.userId, name: e.name, role: e.role, joinedAt: e.at },
              { cause: e.id, now },
            )
          : undefined;
      return { claim, audit, event };
    }),
  );
  const statements = writes.flatMap((w) => [w.claim, w.audit, ...(w.event ? [w.event.insert] : [])]);
  const results = await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
  // Only events this call recorded are queued: a retried POST sends no webhook twice.
  const fresh = writes.filter((w) => (results[statements.indexOf(w.claim)] as unknown[]).length > 0);
  await enqueueWebhookEvents(
    ctx.env,
    fresh.flatMap((w) => (w.event ? [w.event.id] : [])),
  );
  return fresh.length;
}
