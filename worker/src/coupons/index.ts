/** Coupons: authors' codes for a percent or an amount off an item, applied at checkout. */
import { defineModule } from "../module";
import { couponRoutes } from "./routes";

export { type AppliedCoupon, applyCoupon, couponSale } from "./service";

export const couponsModule = defineModule({ name: "coupons", routes: couponRoutes });
