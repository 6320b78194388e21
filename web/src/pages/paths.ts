/** Paths pages link to across the app. */

/** The storefront's item page (server-rendered by the Worker: a full page load, not a route here). */
export const storefrontItemUrl = (slug: string) => `/items/${encodeURIComponent(slug)}`;
/** Where a buyer writes, edits or deletes their review of an item (the storefront's item page links here). */
export const reviewItemPath = (slug: string) => `/review/${encodeURIComponent(slug)}`;

/** The buyer's orders and subscriptions; the storefront's success page links here too. */
export const PURCHASES_PATH = "/dashboard/purchases";
/** The active org's balances, ledger and orders. */
export const EARNINGS_PATH = "/dashboard/earnings";
/** The active org's charts: sales, subscriptions, downloads, page views and checkouts per day. */
export const ANALYTICS_PATH = "/dashboard/analytics";
/** The active org's Stripe Connect state; Stripe's onboarding returns here (`?return=1`, `?refresh=1`). */
export const PAYOUTS_PATH = "/dashboard/payouts";
/** The active org's webhook endpoints and messages (admins). */
export const WEBHOOKS_PATH = "/dashboard/webhooks";
export const webhookEndpointPath = (endpointId: string) => `${WEBHOOKS_PATH}/${encodeURIComponent(endpointId)}`;
/** The active org's projects, and one project's live editor. */
export const PROJECTS_PATH = "/dashboard/projects";
export const projectPath = (projectId: string) => `${PROJECTS_PATH}/${encodeURIComponent(projectId)}`;
/** The author studio: the active org's items, and one item's tabs (details, media, versions…). */
export const ITEMS_PATH = "/dashboard/items";
export const studioItemPath = (itemId: string, tab?: string) =>
  `${ITEMS_PATH}/${encodeURIComponent(itemId)}${tab ? `/${encodeURIComponent(tab)}` : ""}`;
/** The signed-in person's notifications, and where they choose how each type reaches them. */
export const NOTIFICATIONS_PATH = "/notifications";
export const NOTIFICATION_SETTINGS_PATH = "/settings/notifications";

/** The platform operators' console (the router shows anyone else the not-found page). */
export const OPERATOR_PATH = "/operator";
export const OPERATOR_MODERATION_PATH = `${OPERATOR_PATH}/moderation`;
export const OPERATOR_ORDERS_PATH = `${OPERATOR_PATH}/orders`;
export const OPERATOR_MAIL_PATH = `${OPERATOR_PATH}/mail`;
export const OPERATOR_JOBS_PATH = `${OPERATOR_PATH}/jobs`;
/** Where a signed-in person reports an item to the operators (the storefront's item page links here). */
export const reportItemPath = (slug: string) => `/report/${encodeURIComponent(slug)}`;
