/** Projects: their settings, installed items, assets and snapshots. */
import "./events";
import { defineModule } from "../module";
import { PROJECTS_PREFIX } from "./assets";
import { projectKeysInUse } from "./objects";
import { projectsApi } from "./routes";
import { thinProjectSnapshots } from "./snapshot-retention";

export { findProject, type ProjectAccess, type ProjectGate, projectRoleNow, requireProject } from "./access";
export { adoptUploadedAsset, assetContentType, assetUploadAccess, newAssetKey, orgAssetBytesSql } from "./assets";
export { isYjsUpdate } from "./inspect";
export { ProjectParams, projectPath, SnapshotParams } from "./route-params";
export {
  INLINE_SNAPSHOT_MAX_BYTES,
  latestSnapshotContent,
  recordSnapshotRestored,
  saveManualSnapshot,
  snapshotToRestore,
  storeSnapshot,
} from "./snapshots";

export const projectsModule = defineModule({
  name: "projects",
  routes: projectsApi,
  jobs: { "thin-project-snapshots": thinProjectSnapshots },
  webhookEvents: ["project.snapshot.created"] as const,
  objects: [{ prefix: PROJECTS_PREFIX, inUse: projectKeysInUse }],
});
