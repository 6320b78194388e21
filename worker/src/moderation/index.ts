/** Operators removing and restoring items. */
import { defineModule } from "../module";
import { moderationRoutes } from "./routes";

export const moderationModule = defineModule({
  name: "moderation",
  routes: moderationRoutes,
});
