/** Items, versions, bundles, item images, search and the update check: what authors publish. */
import { defineModule } from "../module";
import "./events";
import { purgeStaleUploads } from "./jobs";
import { itemImageEvents } from "./media";
import { catalogRoutes } from "./routes";
import { bundleKeysInUse } from "./versions";

export { type AuthorItemBase, listAuthorItems } from "./author-items";
export { countDownload, ratingChange } from "./item-stats";
export { type ModerationState, moderationStatement } from "./items";
export { adoptItemImage, checkItemImageUpload, type ItemImageRole, newItemImageKey } from "./media";

export {
  findItem,
  findOrgItem,
  findVisibleItemBySlug,
  type ItemRow,
  type ItemWithMedia,
  itemsById,
  listPublishedItemsOfOrg,
  type OrgRef,
  RATING_PRIOR,
  toItem,
} from "./queries";
export { findItemBySlug, findItemRef, type ItemRef, itemNameSql, itemOwnersBySlug, itemRefsById, itemSlugSql } from "./refs";
export { type SearchResult, searchItems } from "./search";
export { findItemWithVersion, findVersionWithItem, type VersionRow, versionRowsOf } from "./version-rows";
export {
  bundleKeysInUse,
  checkVersionUpload,
  listVersions,
  orgBundleBytesSql,
  publishStagedBundle,
  type VersionUploadInput,
} from "./versions";

export const catalogModule = defineModule({
  name: "catalog",
  routes: catalogRoutes,
  jobs: { "purge-stale-uploads": purgeStaleUploads },
  webhookEvents: ["item.published", "version.published"] as const,
  objects: [{ prefix: "bundles/", inUse: bundleKeysInUse }],
  events: itemImageEvents,
});
