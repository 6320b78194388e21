/** Resumable uploads (tus 1.0.0) stored as R2 multipart uploads; bundles become versions, assets project assets. */
import { defineModule } from "../module";
import { freeExpiredUploads, uploadKeysInUse } from "./jobs";
import { tusRoutes } from "./routes";
import { UPLOADS_PREFIX } from "./targets";

export const uploadsModule = defineModule({
  name: "uploads",
  pages: tusRoutes,
  jobs: { "free-expired-uploads": freeExpiredUploads },
  objects: [{ prefix: UPLOADS_PREFIX, inUse: uploadKeysInUse }],
});
