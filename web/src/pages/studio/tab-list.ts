/** The studio's item tabs, in the order the tab bar shows them; the first is the default. */
import type { StudioTab } from "./tabs";
import { couponsTab } from "./tabs/coupons";
import { creditsTab } from "./tabs/credits";
import { detailsTab } from "./tabs/details";
import { licensesTab } from "./tabs/licenses";
import { mediaTab } from "./tabs/media";
import { reviewsTab } from "./tabs/reviews";
import { versionsTab } from "./tabs/versions";

export const STUDIO_TABS: readonly StudioTab[] = [detailsTab, mediaTab, versionsTab, licensesTab, couponsTab, reviewsTab, creditsTab];
