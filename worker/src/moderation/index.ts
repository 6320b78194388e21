/** Operators removing and restoring items, and the reports people make about items. */
import { defineModule } from "../module";
import { moderationRoutes } from "./routes";

export { dismissItemReport, itemReportQueue } from "./reports";

export const moderationModule = defineModule({
  name: "moderation",
  routes: moderationRoutes,
});
