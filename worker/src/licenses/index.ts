/** License keys, activations and the License API. */
import { defineModule } from "../module";
import { licenseRoutes } from "./routes";

export const licensesModule = defineModule({
  name: "licenses",
  routes: licenseRoutes,
  webhookEvents: ["license.created", "license.revoked"] as const,
});
