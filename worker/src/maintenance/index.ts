/** Cron maintenance: running every module's jobs once per tick (scheduler.ts), and housekeeping of the infrastructure's own tables. */
import { defineModule } from "../module";
import { purgeRateLimitWindows } from "./jobs";

export { runScheduled } from "./scheduler";

export const maintenanceModule = defineModule({
  name: "maintenance",
  jobs: { "purge-rate-limit-windows": purgeRateLimitWindows },
});
