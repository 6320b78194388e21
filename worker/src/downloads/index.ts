/** Signed download links and the downloads they serve. */
import { defineModule } from "../module";
import { downloadLinkRoutes, downloadRoutes } from "./routes";

export { mintDownloadLink } from "./service";

export const downloadsModule = defineModule({
  name: "downloads",
  routes: downloadRoutes,
  pages: downloadLinkRoutes,
});
