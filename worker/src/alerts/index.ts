/** Operators' health signals: GET /readyz, dead letters of every queue, and the alert mails about them and failing jobs. */
import { defineModule } from "../module";
import { alertOperators } from "./alert-job";
import { purgeOldAlerts, recordDeadLetters } from "./dead-letters";
import "./events";
import { alertsRoutes } from "./routes";

export { readyz, readyzAccess } from "./readyz";

export const alertsModule = defineModule({
  name: "alerts",
  routes: alertsRoutes,
  events: { "queue.dead_lettered": recordDeadLetters },
  jobs: {
    "operator-alerts": alertOperators,
    "purge-old-alerts": ({ db, now, batchSize }) => purgeOldAlerts(db, now, batchSize),
  },
});
