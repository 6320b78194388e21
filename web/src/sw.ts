/**
 * Plaza's service worker (built to /sw.js by vite-plugin-pwa, injectManifest mode): the app shell
 * and Vite's hashed files precached, so the app starts without a network; the dashboard's API
 * reads network-first with the last answer kept for offline use. A new deploy installs beside the
 * running one and waits until the person chooses "Reload" (src/ui/update-prompt.ts), so a page
 * never mixes files of two deploys.
 */
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, type PrecacheEntry, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { NetworkFirst } from "workbox-strategies";
import { APP_PAGES, APP_SHELL_URL, isOfflineReadable, OFFLINE_COPY_HEADER } from "./offline/cached-paths";

/**
 * What this file uses of ServiceWorkerGlobalScope: web/tsconfig.json has the DOM lib, and the
 * WebWorker lib beside it would change DOM types for the rest of the app.
 */
declare const self: {
  /** Replaced by the build with the files to precache. */
  __WB_MANIFEST: (string | PrecacheEntry)[];
  location: Location;
  skipWaiting(): Promise<void>;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
};

// The shell is precached as APP_SHELL_URL, not /index.html: `/` (the storefront's home) is no
// directory index of it.
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// The app's pages get the precached shell; every other navigation (the storefront, checkout, the
// Worker's pages) is not answered here and goes to the network as if there were no worker.
registerRoute(new NavigationRoute(createHandlerBoundToURL(APP_SHELL_URL), { allowlist: [APP_PAGES] }));

/** Keeps only 200s, stamped with when they were stored: the app shows "Offline copy from <time>". */
const offlineCopy = {
  cacheWillUpdate: async ({ response }: { response: Response }) => {
    if (response.status !== 200) return null;
    const headers = new Headers(response.headers);
    headers.set(OFFLINE_COPY_HEADER, new Date().toISOString());
    return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
  },
};

registerRoute(
  ({ url, request }) => url.origin === self.location.origin && request.method === "GET" && isOfflineReadable(url.pathname),
  new NetworkFirst({ cacheName: "plaza-api", plugins: [offlineCopy] }),
);

// The first install takes the open pages at once (nothing of an older deploy to mix with); an
// update waits for the prompt's SKIP_WAITING (workbox-window's messageSkipWaiting).
clientsClaim();
self.addEventListener("message", (event) => {
  if ((event.data as { type?: string } | null)?.type === "SKIP_WAITING") void self.skipWaiting();
});
