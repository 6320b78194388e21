/** Items, versions, bundles, media, search and the update check: what authors publish. */
import { defineModule } from "../module";
import { mediaPages } from "./media-pages";
import { catalogRoutes } from "./routes";

export { findOrgItem, findVisibleItemBySlug } from "./queries";
export { findItemBySlug, findItemRef, type ItemRef, itemRefsById, itemSlugSql } from "./refs";
export { listVersions } from "./versions";

export const catalogModule = defineModule({
  name: "catalog",
  routes: catalogRoutes,
  pages: mediaPages,
  webhookEvents: ["item.published", "version.published"] as const,
});
