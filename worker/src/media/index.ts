/** Media: every file people upload and see, its lifecycle (pending → uploaded → processing → ready | failed) and its image variants. */
import { defineModule } from "../module";
import "./events";
import { processStalledMedia } from "./jobs";
import { mediaPages } from "./pages";
import { consumeMedia, consumeMediaDeadLetters } from "./processing";
import { mediaKeysInUse } from "./records";

export {
  discardMedia,
  type MediaInfo,
  type MediaRow,
  mediaByKeys,
  mediaFailed,
  mediaImageSql,
  mediaImagesSql,
  mediaKeysInUse,
  mediaUploaded,
  registerMedia,
  toMediaImage,
} from "./records";

export const mediaModule = defineModule({
  name: "media",
  pages: mediaPages,
  queues: { "plaza-media": consumeMedia, "plaza-media-dlq": consumeMediaDeadLetters },
  jobs: { "process-stalled-media": processStalledMedia },
  // Originals of item images (project assets' are under projects/, which the projects module owns) and every variant.
  objects: [
    { prefix: "items/", inUse: mediaKeysInUse },
    { prefix: "media/", inUse: mediaKeysInUse },
  ],
});
