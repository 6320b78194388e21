/** Renders the matched page inside the right layout, enforcing who may see which route. */
import { isLoggedIn, onSessionEnded, restoreSession } from "./auth/session";
import { h, replace } from "./dom";
import { mutationQueue } from "./offline/queue";
import { notFoundContent } from "./pages/not-found";
import { currentPath, DASHBOARD_PATH, matchRoute, navigate, type Route, startRouter } from "./router";
import { cachedMe, clearMe, loadMe } from "./state/me";
import { errorAlert } from "./ui/alert";
import { offlineCopyNotice, resetOfflineCopy } from "./ui/offline-copy";
import { appFooter, appHeader } from "./ui/shell";

let inFlight: AbortController | null = null;

const loginUrl = (next: string, reason?: string) =>
  `/login?next=${encodeURIComponent(next)}${reason ? `&reason=${encodeURIComponent(reason)}` : ""}`;

const guestHeader = () =>
  h("header", { class: "topbar" }, h("div", { class: "topbar-row" }, h("a", { class: "brand", href: "/" }, "Plaza")));

/** Header (signed-in or guest), an empty <main>, which is returned for the page, and the footer. */
function layout(root: HTMLElement, orgInView: string | null, signal: AbortSignal): HTMLElement {
  const main = h("main", { id: "main", class: "content", tabindex: -1 });
  const me = cachedMe();
  const header = me && isLoggedIn() ? appHeader(me, orgInView, signal) : guestHeader();
  replace(root, h("a", { class: "skip-link", href: "#main" }, "Skip to content"), header, offlineCopyNotice(), main, appFooter());
  return main;
}

async function show(root: HTMLElement, routes: readonly Route[], url: URL): Promise<void> {
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  resetOfflineCopy();
  const match = matchRoute(routes, url.pathname);
  const loggedIn = isLoggedIn();
  if (match?.route.access === "user" && !loggedIn) return navigate(loginUrl(url.pathname + url.search), { replace: true });
  if (match?.route.access === "guest" && loggedIn) return navigate(DASHBOARD_PATH, { replace: true });

  try {
    if (loggedIn && !cachedMe()) await loadMe();
  } catch (err) {
    replace(layout(root, null, controller.signal), errorAlert(err));
    return;
  }
  if (controller.signal.aborted) return;
  // Changes queued on this device go out from any page, not only the one they were made on.
  const me = cachedMe();
  if (loggedIn && me) mutationQueue(me.user.id);
  // Operator pages do not exist for anyone else (signed out too): the not-found page of an unknown path.
  const shown = match?.route.access === "operator" && !(loggedIn && me?.user.isOperator) ? null : match;
  document.title = `${shown?.route.title ?? "Not found"} · Plaza`;
  const main = layout(root, shown?.params.orgId ?? null, controller.signal);
  replace(main, h("p", { class: "loading", role: "status" }, "Loading…"));

  let content: Node;
  try {
    content = shown
      ? await shown.route.page({ params: shown.params, query: url.searchParams, signal: controller.signal })
      : notFoundContent();
  } catch (err) {
    content = errorAlert(err);
  }
  if (controller.signal.aborted) return;
  replace(main, content);
  // Move focus to the new page's heading, as a full page load would for screen readers.
  main.querySelector<HTMLElement>("h1")?.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

export async function startApp(root: HTMLElement, routes: readonly Route[]): Promise<void> {
  onSessionEnded((reason) => {
    clearMe();
    navigate(loginUrl(currentPath(), reason), { replace: true });
  });
  await restoreSession();
  // The service worker took this page (its first install): read /v1/me again through it, so an
  // offline start finds a copy.
  navigator.serviceWorker?.addEventListener("controllerchange", () => {
    if (isLoggedIn()) void loadMe().catch(() => undefined);
  });
  startRouter(routes, (url) => void show(root, routes, url));
}
