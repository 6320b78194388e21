/** Signed download links and the downloads they serve. */
import { defineModule } from "../module";
import "./events";
import { purgeDownloadLinks } from "./jobs";
import { downloadLinkRoutes, downloadRoutes } from "./routes";
import { tallyDownloads } from "./tally";

export { downloadRollupSql } from "./rollups";
export { mintDownloadLink } from "./service";

export const downloadsModule = defineModule({
  name: "downloads",
  routes: downloadRoutes,
  pages: downloadLinkRoutes,
  jobs: { "purge-download-links": purgeDownloadLinks, "tally-downloads": tallyDownloads },
});
