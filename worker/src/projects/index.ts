/** Projects: their settings, installed items, assets and snapshots. */
import { defineModule } from "../module";
import { projectsApi } from "./routes";

export const projectsModule = defineModule({
  name: "projects",
  routes: projectsApi,
  webhookEvents: ["project.snapshot.created"] as const,
});
