/** The author studio's read models: an org's items with what catalog, orders and the ledger know of them. */
import { defineModule } from "../module";
import { studioRoutes } from "./routes";

export const studioModule = defineModule({ name: "studio", routes: studioRoutes });
