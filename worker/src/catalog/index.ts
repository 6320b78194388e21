/** Items, versions, bundles, media, search and the update check: what authors publish. */
import { defineModule } from "../module";
import "./events";
import { purgeStaleUploads } from "./jobs";
import { mediaPages } from "./media-pages";
import { catalogRoutes } from "./routes";

export { type AuthorItemBase, listAuthorItems } from "./author-items";
export { countDownload, ratingChange } from "./item-stats";
export { type ModerationState, moderationStatement } from "./items";
export {
  findItem,
  findOrgItem,
  findVisibleItemBySlug,
  type ItemRow,
  itemsById,
  listPublishedItemsOfOrg,
  type OrgRef,
  RATING_PRIOR,
  toItem,
} from "./queries";
export { findItemBySlug, findItemRef, type ItemRef, itemNameSql, itemRefsById, itemSlugSql } from "./refs";
export { type SearchResult, searchItems } from "./search";
export { findItemWithVersion, findVersionWithItem, type VersionRow, versionRowsOf } from "./version-rows";
export {
  checkVersionUpload,
  listVersions,
  orgBundleBytes,
  publishStagedBundle,
  type VersionUploadInput,
} from "./versions";

export const catalogModule = defineModule({
  name: "catalog",
  routes: catalogRoutes,
  pages: mediaPages,
  jobs: { "purge-stale-uploads": purgeStaleUploads },
  webhookEvents: ["item.published", "version.published"] as const,
});
