/**
 * Client-side routing with the History API. The Worker serves index.html for every unknown path,
 * so deep links and reloads land here.
 */
export type RouteAccess = "user" | "guest" | "any" | "operator";

export interface PageContext {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Aborted when the user navigates away: late results must not render. */
  signal: AbortSignal;
}

export interface Route {
  pattern: string;
  title: string;
  /**
   * `user`: needs a login; `guest`: only when logged out (login, signup); `any`: both; `operator`: platform
   * operators only, everyone else (signed out too) gets the not-found page, as the API answers them 404.
   */
  access: RouteAccess;
  page: (ctx: PageContext) => Node | Promise<Node>;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** The signed-in home. `/` is the storefront, which the Worker renders. */
export const DASHBOARD_PATH = "/dashboard";

type Listener = (url: URL) => void;
let listener: Listener = () => {};

function compile(pattern: string): RegExp {
  const source = pattern.replace(/\/:([A-Za-z]+)/g, "/(?<$1>[^/]+)");
  return new RegExp(`^${source}/?$`);
}

const compiled = new WeakMap<Route, RegExp>();

export function matchRoute(routes: readonly Route[], pathname: string): RouteMatch | null {
  for (const route of routes) {
    let regex = compiled.get(route);
    if (!regex) {
      regex = compile(route.pattern);
      compiled.set(route, regex);
    }
    const match = regex.exec(pathname);
    if (match) {
      const params = Object.fromEntries(Object.entries(match.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
      return { route, params };
    }
  }
  return null;
}

export function navigate(to: string, { replace = false } = {}): void {
  const url = new URL(to, location.origin);
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  listener(url);
}

/** Only same-origin paths: `?next=//evil.example` must not send the user elsewhere. */
export function safeNextPath(next: string | null, fallback = DASHBOARD_PATH): string {
  return next?.startsWith("/") && !next.startsWith("//") ? next : fallback;
}

export const currentPath = () => location.pathname + location.search;

/**
 * Renders on load, on back/forward, and on clicks on links to known routes. Other links (the dev
 * mailbox, /docs) are left to the browser because the Worker serves them.
 */
export function startRouter(routes: readonly Route[], onChange: Listener): void {
  listener = onChange;
  addEventListener("popstate", () => listener(new URL(location.href)));
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element | null)?.closest?.("a[href]");
    if (!(link instanceof HTMLAnchorElement) || link.target || link.hasAttribute("download")) return;
    const url = new URL(link.href);
    if (url.origin !== location.origin || !matchRoute(routes, url.pathname)) return;
    // In-page anchors (the skip link) keep their native jump.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
  listener(new URL(location.href));
}
