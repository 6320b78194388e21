/** Resumable uploads (tus 1.0.0) stored as R2 multipart uploads; bundles become versions, assets project assets. */
import { defineModule } from "../module";
import { freeExpiredUploads } from "./jobs";
import { tusRoutes } from "./routes";

export const uploadsModule = defineModule({
  name: "uploads",
  pages: tusRoutes,
  jobs: { "free-expired-uploads": freeExpiredUploads },
});
