/** The server-rendered storefront and checkout pages. */
import { defineModule } from "../module";
import { storefrontRoutes } from "./routes";

export const storefrontModule = defineModule({
  name: "storefront",
  pages: storefrontRoutes,
});
