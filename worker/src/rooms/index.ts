/** The collaboration rooms' side in the Worker: room tokens, admissions, callbacks and control requests. */
import { defineModule } from "../module";
import { roomAccessHandlers } from "./access-events";
import { purgeExpiredAdmissions } from "./admissions";
import { roomCallbackRoutes } from "./routes";
import { retryRoomTeardowns } from "./teardown";

export const roomsModule = defineModule({
  name: "rooms",
  routes: roomCallbackRoutes,
  jobs: { "retry-room-teardowns": retryRoomTeardowns, "purge-expired-room-admissions": purgeExpiredAdmissions },
  webhookEvents: ["room.member_joined"] as const,
  events: roomAccessHandlers,
});
