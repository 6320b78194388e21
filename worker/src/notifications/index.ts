/** In-app notifications and per-type channel preferences; other domains add theirs to their own batches. */
import { defineModule } from "../module";
import { notificationEvents } from "./event-handlers";
import { notificationRoutes } from "./routes";

export { type NotificationInput, type NotificationRecipients, notificationStatements } from "./service";

export const notificationsModule = defineModule({ name: "notifications", routes: notificationRoutes, events: notificationEvents });
