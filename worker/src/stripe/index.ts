/** Stripe, outgoing: the SDK client (the emulator locally), buyers' customers and items' prices. */
import { defineModule } from "../module";

export { stripeCrypto, stripeFor, stripeTarget } from "./client";
export { customerFor } from "./customers";
export { meterEventName, meterEventNameSql, type PaidPricing, type PricedItem, priceFor, pricingKey, type StripePriceRow } from "./prices";

export const stripeModule = defineModule({ name: "stripe" });
