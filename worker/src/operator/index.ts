/** The operator console's read models over other domains (overview, moderation queue, order search) and its job controls. */
import { defineModule } from "../module";
import { operatorRoutes } from "./routes";

export const operatorModule = defineModule({
  name: "operator",
  routes: operatorRoutes,
});
