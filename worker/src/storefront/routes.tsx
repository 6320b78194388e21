import { type Context, Hono } from "hono";
import { SearchQuery, type SearchQueryT } from "../../../shared/catalog";
import { LEGAL_PAGES, type LegalPage } from "../../../shared/legal";
import { countPageView } from "../analytics";
import { searchItems } from "../catalog";
import type { AppEnv } from "../env";
import { edgeCached } from "../http/edge-cache";
import { AppError } from "../http/errors";
import { log } from "../http/log";
import { pageSources } from "../http/page-security";
import { checkoutPages } from "./checkout-routes";
import { loadAuthorPage, loadHome, loadItemPage } from "./data";
import { storefrontHtml, storefrontSources } from "./html";
import { legalConfig } from "./legal-config";
import { AuthorPage } from "./pages/author";
import { ErrorPage } from "./pages/error";
import { HomePage } from "./pages/home";
import { ItemPage } from "./pages/item";
import { LEGAL_PAGE_COMPONENTS } from "./pages/legal";
import { SearchPage } from "./pages/search";

/**
 * The public storefront: server-rendered HTML (hono/jsx), no client JS, cached at the edge.
 * Plain Hono routes rather than OpenAPI ones: they are pages, not API.
 */

const html = storefrontHtml;

const SEARCH_PAGE_SIZE = 20;

/** A GET form sends every field, filled or not: "" means "not set". */
function searchParams(c: Context<AppEnv>): Record<string, string> {
  return Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v.trim() !== ""));
}

function nextPageHref(params: Record<string, string>, cursor: string | null): string | null {
  return cursor ? `/search?${new URLSearchParams({ ...params, cursor })}` : null;
}

const describeFields = (fields: Record<string, string[]> = {}) =>
  Object.entries(fields).map(([field, messages]) => `${field.replace(/^query\./, "")}: ${messages.join(", ")}`);

/**
 * A legal or support page, filled from the operator's settings. Unset or invalid settings are a
 * 500 (not cached) and an error log naming them, rather than a page with blanks in it.
 */
const legalPage = (page: LegalPage) => async (c: Context<AppEnv>) => {
  const settings = legalConfig(c.env);
  if (!settings.ok) {
    log("error", "legal pages are not configured", { requestId: c.get("requestId"), problems: settings.problems });
    return html(c, <ErrorPage status={500} />, 500);
  }
  const Page = LEGAL_PAGE_COMPONENTS[page];
  return html(c, <Page config={settings.config} />);
};

/** Declared ahead of the edge cache, whose hits skip the handlers; one per path the storefront owns. */
const storefrontPage = pageSources(storefrontSources);

export const storefrontRoutes = new Hono<AppEnv>()
  .use("/", storefrontPage)
  .use("/search", storefrontPage)
  .use("/items/*", storefrontPage)
  .use("/authors/*", storefrontPage)
  .use("/checkout/*", storefrontPage)
  .use("/legal/*", storefrontPage)
  .use(LEGAL_PAGES.support.path, storefrontPage)
  .get("/", edgeCached({ ttl: "purgeable" }), async (c) => html(c, <HomePage {...(await loadHome(c.var.ctx))} />))
  .get("/search", edgeCached({ ttl: "short" }), async (c) => {
    const params = searchParams(c);
    const parsed = SearchQuery.safeParse({ limit: SEARCH_PAGE_SIZE, ...params });
    if (!parsed.success) {
      return html(c, <ErrorPage status={400} problems={parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)} />, 400);
    }
    const query: SearchQueryT = parsed.data;
    const result = await searchItems(c.var.ctx, query);
    return html(c, <SearchPage query={query} results={result.data} nextHref={nextPageHref(params, result.nextCursor)} />);
  })
  // Counted ahead of the edge cache, so a cache hit is a view too; sent after the answer.
  .get("/items/:slug", countPageView(), edgeCached({ ttl: "purgeable" }), async (c) => {
    const data = await loadItemPage(c.var.ctx, c.req.param("slug"));
    return html(c, <ItemPage {...data} highlight={c.req.query("version")} />);
  })
  .get("/authors/:orgSlug", edgeCached({ ttl: "purgeable" }), async (c) => {
    const data = await loadAuthorPage(c.var.ctx, c.req.param("orgSlug"));
    return data ? html(c, <AuthorPage {...data} />) : html(c, <ErrorPage status={404} />, 404);
  })
  // Nothing purges these (they change with a deploy's settings): the short TTL.
  .get(LEGAL_PAGES.terms.path, edgeCached({ ttl: "short" }), legalPage("terms"))
  .get(LEGAL_PAGES.privacy.path, edgeCached({ ttl: "short" }), legalPage("privacy"))
  .get(LEGAL_PAGES.refunds.path, edgeCached({ ttl: "short" }), legalPage("refunds"))
  .get(LEGAL_PAGES.license.path, edgeCached({ ttl: "short" }), legalPage("license"))
  .get(LEGAL_PAGES.support.path, edgeCached({ ttl: "short" }), legalPage("support"))
  // Buying: the guest form's POST, and the pages Stripe sends the buyer back to.
  .route("/", checkoutPages)
  // Deeper paths under the storefront's prefixes are HTML 404s too, not JSON.
  .get("/items/*", (c) => html(c, <ErrorPage status={404} />, 404))
  .get("/authors/*", (c) => html(c, <ErrorPage status={404} />, 404))
  .get("/checkout/*", (c) => html(c, <ErrorPage status={404} />, 404))
  .get("/legal/*", (c) => html(c, <ErrorPage status={404} />, 404))
  .onError((err, c) => {
    c.header("cache-control", "no-store");
    if (err instanceof AppError && err.code === "not_found") return html(c, <ErrorPage status={404} />, 404);
    if (err instanceof AppError && err.code === "invalid_request")
      return html(c, <ErrorPage status={400} problems={describeFields(err.extra.fields)} />, 400);
    log("error", "storefront page failed", { requestId: c.get("requestId"), error: String(err), stack: (err as Error).stack });
    return html(c, <ErrorPage status={500} />, 500);
  });
