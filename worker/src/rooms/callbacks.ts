/**
 * What the rooms tell the Worker: snapshots (stored via projects/snapshots.ts) and room events.
 * Member joined/left become audit rows, and a join a `room.member_joined` webhook event. Every
 * row's id is derived from the room's `rev_` event id, so a retried POST records nothing twice.
 */
import { eq } from "drizzle-orm";
import type { RoomEvent } from "../../../shared/room-callbacks";
import type { RequestMeta } from "../context";
import { derivedId } from "../crypto/random";
import type { Db } from "../db/client";
import { auditEvents, projects, roomEvents } from "../db/schema";
import type { Env } from "../env";
import { notFound } from "../http/errors";
import { enqueueWebhookEvents, webhookEvent } from "../webhooks/outbox";

export async function findRoomProject(db: Db, roomId: string) {
  const project = await db.query.projects.findFirst({ where: eq(projects.id, roomId), columns: { id: true, orgId: true } });
  if (!project) throw notFound("Room");
  return project;
}

/** Records the events; answers how many were new. */
export async function recordRoomEvents(db: Db, env: Env, meta: RequestMeta, project: { id: string; orgId: string }, events: RoomEvent[]) {
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
      const audit = db
        .insert(auditEvents)
        .values({
          id: await derivedId("audit", `room-event:${e.id}`),
          orgId: project.orgId,
          actorUserId: e.userId,
          action: e.type === "member_joined" ? "room.member_joined" : "room.member_left",
          targetType: "project",
          targetId: project.id,
          ip: meta.ip,
          requestId: meta.requestId,
          metadata: { eventId: e.id, name: e.name, role: e.role, connectionId: e.connectionId, at: e.at },
          createdAt: now,
        })
        .onConflictDoNothing();
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
    env,
    fresh.flatMap((w) => (w.event ? [w.event.id] : [])),
  );
  return fresh.length;
}
