/**
 * What the service worker (src/sw.ts) answers, by path. Everything else passes through to the
 * network untouched: the storefront (`/`, /items/, /authors/, /search, /checkout/, rendered by
 * the Worker) and the Worker's own paths (/v1 writes, /media, /download, /docs…).
 */

/**
 * Where the app shell (index.html) is precached from: the Worker answers an app page with
 * index.html and the page's security headers, while /index.html itself redirects to `/` (the
 * storefront). web/vite.config.ts renames the manifest's entry to this.
 */
export const APP_SHELL_URL = "/dashboard";

/**
 * The web app's own pages (the first segments of src/routes.ts's patterns; cached-paths.test.ts
 * keeps them in step): a navigation to one gets the precached index.html.
 */
export const APP_PAGES =
  /^\/(dashboard|get|buy|review|report|signup|login|magic-link|verify-email|invites|orgs|settings|notifications|operator)(\/|\?|$)/;

/**
 * The dashboard's reads, network-first with the last answer kept for offline use: who I am, my
 * notification settings, an org, its projects, a project and its snapshots, the purchases page's
 * lists, and an item with my review of it.
 */
export const OFFLINE_READABLE_API = [
  /^\/v1\/me$/,
  /^\/v1\/me\/(library|orders|subscriptions|licenses|notification-preferences)$/,
  /^\/v1\/orgs\/[^/]+$/,
  /^\/v1\/orgs\/[^/]+\/projects(\/[^/]+(\/snapshots)?)?$/,
  // The review page: the item and my review of it, so a draft can be written offline.
  /^\/v1\/items\/[^/]+(\/reviews\/mine)?$/,
];

export const isOfflineReadable = (pathname: string) => OFFLINE_READABLE_API.some((path) => path.test(pathname));

/** On an API answer the service worker took from its cache: when it was stored (ISO 8601). */
export const OFFLINE_COPY_HEADER = "x-plaza-offline-copy";
