/**
 * Cron maintenance: running every module's jobs once per tick (scheduler.ts), housekeeping of the
 * infrastructure's own tables, and deleting R2 objects no module refers to any more (orphan-objects.ts).
 */
import { defineModule } from "../module";
import { purgeJobRuns } from "./job-runs";
import { deleteOrphanObjects } from "./orphan-objects";

export { type FailingJob, JOB_RUN_RETENTION_MS, jobRunsPage, jobSummaries, jobsFailedTwiceInARow, runJobNow } from "./job-runs";
export { isDueOnTick, runScheduled } from "./scheduler";

export const maintenanceModule = defineModule({
  name: "maintenance",
  jobs: {
    "delete-orphan-objects": deleteOrphanObjects,
    "purge-job-runs": purgeJobRuns,
  },
});
