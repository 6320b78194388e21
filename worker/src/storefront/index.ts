/** The server-rendered storefront and checkout pages. */
import { defineModule } from "../module";
import { storefrontEvents } from "./purge";
import { storefrontRoutes } from "./routes";

export const storefrontModule = defineModule({
  name: "storefront",
  pages: storefrontRoutes,
  events: storefrontEvents,
});

/** The legal pages' settings check, for config validation elsewhere (deploy checks, readiness). */
export { LegalConfig, legalConfig } from "./legal-config";
