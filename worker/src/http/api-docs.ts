import { Scalar } from "@scalar/hono-api-reference";
import type { Handler } from "hono";
import type { AppEnv } from "../env";
import { inlineHash, type PageSources } from "./page-security";

/** Where Scalar's page loads its script from (until Plaza serves it itself). */
export const SCALAR_CDN_ORIGIN = "https://cdn.jsdelivr.net";

// Default fonts would come from yet another origin; the page uses the system's.
const scalar = Scalar<AppEnv>({ url: "/openapi.json", pageTitle: "Plaza API", withDefaultFonts: false });

const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g;

/**
 * Scalar's script from its CDN, and its inline start-up script by hash (that script is the same
 * for every request). Scalar styles what it renders with style elements and attributes, hence
 * inline styles; it reads /openapi.json from here.
 */
export function apiDocsSources(html: string): PageSources {
  const inlineScripts = [...html.matchAll(INLINE_SCRIPT)].map((m) => inlineHash(m[1]!));
  return {
    "script-src": [SCALAR_CDN_ORIGIN, ...inlineScripts],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
  };
}

let rendered: Promise<{ html: string; sources: PageSources }> | undefined;

/** `GET /docs`: Scalar's page, rendered once, served with the sources its exact text needs. */
export const apiDocsPage: Handler<AppEnv> = async (c, next) => {
  rendered ??= (async () => {
    const html = await ((await scalar(c, next)) as Response).text();
    return { html, sources: apiDocsSources(html) };
  })();
  const { html, sources } = await rendered;
  c.set("pageSources", sources);
  return c.html(html);
};
