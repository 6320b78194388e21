/** The money ledger: sales, fees, refunds, payouts and balances. */
import { defineModule } from "../module";
import { ledgerRoutes } from "./routes";

export const ledgerModule = defineModule({
  name: "ledger",
  routes: ledgerRoutes,
});
