/** The money ledger: sales, fees, refunds, payouts and balances. */
import { defineModule } from "../module";
import { ledgerRoutes } from "./routes";
import { ledgerStripeHandlers } from "./stripe-handlers";

export { disputeEntries, failedRefundEntries, orderRefundedSql, refundEntries, saleEntries } from "./entries";
export { oneTimeFee, type PlatformFee, percentFee, platformFee, subscriptionFeePercent } from "./fees";
export { ledgerRollupSql } from "./rollups";

export const ledgerModule = defineModule({
  name: "ledger",
  routes: ledgerRoutes,
  connectStripeHandlers: ledgerStripeHandlers,
});
