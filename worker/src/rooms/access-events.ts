/**
 * How the rooms follow access changes announced elsewhere (auth, orgs, projects): the sockets the
 * change shut out close before the change is answered, and a deleted project's room teardown is
 * owed in the batch that deletes it, then asked for once the deletion committed.
 */
import type { EventHandlers } from "../context";
import { disconnectFromRooms } from "./access-changes";
import { tearDownRooms, teardownOwed } from "./teardown";

export const roomAccessHandlers: EventHandlers = {
  "session.revoked": async (ctx, { userId, sessionIds }) => {
    await disconnectFromRooms(ctx, { userId, sessionIds });
    return undefined;
  },
  "org.access_changed": async (ctx, { orgId, userIds }) => {
    await disconnectFromRooms(ctx, { orgId, userIds });
    return undefined;
  },
  "project.deleted": async (ctx, project) => [teardownOwed(ctx.db, project)],
  "project.access_changed": async (ctx, { projectId, orgId, kind }) => {
    if (kind === "deleted") await tearDownRooms(ctx, [projectId]);
    else await disconnectFromRooms(ctx, { orgId, projectId, plainMembers: true });
    return undefined;
  },
};
