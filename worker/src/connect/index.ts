/** Authors' Stripe Connect accounts: onboarding, payouts. */
import { defineModule } from "../module";
import { resealConnectAccounts } from "./reseal";
import { connectRoutes } from "./routes";

export const connectModule = defineModule({
  name: "connect",
  routes: connectRoutes,
  jobs: { "reseal-connect-accounts": resealConnectAccounts },
});
