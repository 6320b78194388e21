/** Authors' Stripe Connect accounts: onboarding, payouts. */
import { defineModule } from "../module";
import { resealConnectAccounts } from "./reseal";
import { connectRoutes } from "./routes";
import { connectStripeHandlers } from "./stripe-handlers";

export { chargeableAccountId, isDisconnected, orgOfAccount, recordPayoutPaid } from "./service";

export const connectModule = defineModule({
  name: "connect",
  routes: connectRoutes,
  jobs: { "reseal-connect-accounts": resealConnectAccounts },
  connectStripeHandlers: connectStripeHandlers,
});
