/** Backups: a daily logical export of D1 into R2 (`backups/<day>/`), kept BACKUP_RETENTION_DAYS days; `npm run restore` loads one. */
import { defineModule } from "../module";
import { exportD1Backup } from "./export";

export { BACKUP_PREFIX, type Manifest } from "./export";

export const backupsModule = defineModule({
  name: "backups",
  // A read of every table: once a day (and by an operator's run now), not every tick.
  dailyJobs: { "export-d1-backup": exportD1Backup },
});
