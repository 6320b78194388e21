/** Analytics: daily rollups per org, item and day, written in the batches of the changes they count; their API and backfill. */
import { defineModule } from "../module";
import { analyticsEvents } from "./events";
import { analyticsBackfill } from "./jobs";
import { consumePageViews, purgePageViews } from "./page-views";
import { analyticsRoutes } from "./routes";

export { countPageView } from "./page-views";
export { rebuildRollups } from "./rollups";

export const analyticsModule = defineModule({
  name: "analytics",
  routes: analyticsRoutes,
  events: analyticsEvents,
  jobs: { "purge-page-views": purgePageViews },
  // A whole-table rebuild: a daily reconciliation (and "run now" after a fix), not every tick.
  dailyJobs: { "analytics-backfill": analyticsBackfill },
  queues: { "plaza-analytics": consumePageViews },
});
