/**
 * Backups: a daily logical export of D1 into R2 (`backups/<day>/`), made a bounded step per cron
 * tick (its position in backup_progress), kept BACKUP_RETENTION_DAYS days; `npm run restore` loads one.
 */
import { defineModule } from "../module";
import { exportD1Backup } from "./export";

export { BACKUP_PREFIX, type Manifest } from "./export";

export const backupsModule = defineModule({
  name: "backups",
  // Every tick: one step of the day's export (at most STEP_QUERIES D1 statements) until it is complete, then nothing until the next UTC day.
  jobs: { "export-d1-backup": exportD1Backup },
});
