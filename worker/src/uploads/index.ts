/** Resumable uploads (tus 1.0.0) stored as R2 multipart uploads; bundles become versions, assets project assets. */
import { defineModule } from "../module";

export const uploadsModule = defineModule({ name: "uploads" });
