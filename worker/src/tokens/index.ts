/** Bearer credentials: personal API tokens (`plz_…`) with scopes, and `authenticate()`, which resolves any bearer to the principal. */
import { defineModule } from "../module";
import { purgeEndedApiTokens } from "./jobs";
import { tokenRoutes } from "./routes";

export { authenticate } from "./authenticate";

export const tokensModule = defineModule({
  name: "tokens",
  routes: tokenRoutes,
  jobs: { "purge-ended-api-tokens": purgeEndedApiTokens },
});
