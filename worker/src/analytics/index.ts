/** Analytics: daily rollups per org, item and day, written in the batches of the changes they count; their API and backfill. */
import { defineModule } from "../module";
import { consumePageViews, purgePageViews } from "./page-views";

export { countPageView } from "./page-views";

export const analyticsModule = defineModule({
  name: "analytics",
  jobs: { "purge-page-views": purgePageViews },
  queues: { "plaza-analytics": consumePageViews },
});
