/** The collaboration rooms' side in the Worker: room tokens, admissions, callbacks, control requests and access changes. */
import { createRouter } from "../http/openapi";
import { defineModule } from "../module";
import { roomAccessHandlers } from "./access-events";
import { purgeExpiredAdmissions } from "./admissions";
import { projectRoomRoutes } from "./project-room-routes";
import { roomCallbackRoutes } from "./routes";
import { retryRoomTeardowns } from "./teardown";

export const roomsModule = defineModule({
  name: "rooms",
  routes: createRouter().route("/", roomCallbackRoutes).route("/", projectRoomRoutes),
  jobs: { "retry-room-teardowns": retryRoomTeardowns, "purge-expired-room-admissions": purgeExpiredAdmissions },
  webhookEvents: ["room.member_joined"] as const,
  events: roomAccessHandlers,
});
