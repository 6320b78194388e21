/** Signed download links and the downloads they serve. */
import { defineModule } from "../module";
import { purgeDownloadLinks } from "./jobs";
import { downloadLinkRoutes, downloadRoutes } from "./routes";

export { mintDownloadLink } from "./service";

export const downloadsModule = defineModule({
  name: "downloads",
  routes: downloadRoutes,
  pages: downloadLinkRoutes,
  jobs: { "purge-download-links": purgeDownloadLinks },
});
