/** The service worker's path lists against the app's routes and the Worker's own paths. */
import { describe, expect, test } from "vitest";
import { appRoutes } from "../../route-patterns";
import { APP_PAGES, APP_SHELL_URL, isOfflineReadable } from "./cached-paths";

describe("service worker paths", () => {
  test("every page of the app gets the app shell offline, with or without a query", () => {
    const patterns = appRoutes().map((route) => route.pattern);
    expect(patterns.length).toBeGreaterThan(20);
    for (const pattern of patterns) {
      const path = pattern.replace(/:(\w+)/g, "x");
      expect(path, pattern).toMatch(/^\//);
      expect(APP_PAGES.test(path), path).toBe(true);
      expect(APP_PAGES.test(`${path}?next=%2F`), path).toBe(true);
    }
    expect(APP_PAGES.test(APP_SHELL_URL)).toBe(true);
  });

  test("the storefront and the Worker's own paths are never the app shell", () => {
    for (const path of [
      "/",
      "/?q=x",
      "/items/sheet-weaver",
      "/authors/ada",
      "/search?q=x",
      "/checkout/success",
      "/v1/me",
      "/media/x",
      "/download/x",
      "/dev/mailbox",
      "/docs",
      "/openapi.json",
      "/healthz",
      "/dashboards",
      "/loginx",
    ])
      expect(APP_PAGES.test(path), path).toBe(false);
  });

  test("only the dashboard's reads are kept for offline use", () => {
    for (const path of [
      "/v1/me",
      "/v1/me/orders",
      "/v1/me/notification-preferences",
      "/v1/orgs/org_1",
      "/v1/orgs/org_1/projects",
      "/v1/orgs/org_1/projects/prj_1",
      "/v1/orgs/org_1/projects/prj_1/snapshots",
      "/v1/items/ink",
      "/v1/items/ink/reviews/mine",
    ])
      expect(isOfflineReadable(path), path).toBe(true);
    for (const path of [
      "/v1/auth/refresh",
      "/v1/me/sessions",
      "/v1/me/notifications",
      "/v1/me/notifications/stream",
      "/v1/orgs/org_1/projects/prj_1/assets/a.bin",
      "/v1/items/ink/versions",
      "/v1/items/ink/reviews",
      "/media/x",
    ])
      expect(isOfflineReadable(path), path).toBe(false);
  });
});
