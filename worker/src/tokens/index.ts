/** Personal API tokens (`plz_…`) with scopes. */
import { defineModule } from "../module";
import { tokenRoutes } from "./routes";

export const tokensModule = defineModule({
  name: "tokens",
  routes: tokenRoutes,
});
