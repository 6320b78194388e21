import type { EventHandlers } from "../context";
import { disconnectFromRooms } from "./access-changes";

/** Access that ended elsewhere (auth, orgs) closes the sockets it admitted, before the change is answered. */
export const roomAccessHandlers: EventHandlers = {
  "session.revoked": async (ctx, { userId, sessionIds }) => {
    await disconnectFromRooms(ctx.env, ctx.db, { userId, sessionIds });
    return undefined;
  },
  "org.access_changed": async (ctx, { orgId, userIds }) => {
    await disconnectFromRooms(ctx.env, ctx.db, { orgId, userIds });
    return undefined;
  },
};
