/** Resumable uploads (tus 1.0.0) stored as R2 multipart uploads, verified off the request; bundles become versions, assets project assets. */
import { defineModule } from "../module";
import { freeExpiredUploads, uploadKeysInUse, verifyStalledUploads } from "./jobs";
import { tusRoutes } from "./routes";
import { UPLOADS_PREFIX } from "./targets";
import { consumeUploadDeadLetters, consumeUploads } from "./verify";

export const uploadsModule = defineModule({
  name: "uploads",
  pages: tusRoutes,
  queues: { "plaza-uploads": consumeUploads, "plaza-uploads-dlq": consumeUploadDeadLetters },
  jobs: { "free-expired-uploads": freeExpiredUploads, "verify-stalled-uploads": verifyStalledUploads },
  objects: [{ prefix: UPLOADS_PREFIX, inUse: uploadKeysInUse }],
});
