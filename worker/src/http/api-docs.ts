import { Scalar } from "@scalar/hono-api-reference";
import type { Handler } from "hono";
import { dependencies } from "../../../package.json";
import type { AppEnv } from "../env";
import { inlineHash, type PageSources } from "./page-security";

/**
 * Scalar's browser bundle, which the web build copies from @scalar/api-reference into the
 * Worker's assets (web/vite.config.ts): served from here, /docs needs no other origin. The
 * version in the name (pinned exactly in package.json; the build refuses any other) makes it
 * safe to cache for good, like Vite's hashed files beside it.
 */
export const SCALAR_SCRIPT_PATH = `/assets/vendor/scalar-api-reference-${dependencies["@scalar/api-reference"]}.js`;

// Default fonts would come from another origin, and the agent chat calls Scalar's servers: the
// page uses the system's fonts, and no agent.
const scalar = Scalar<AppEnv>({
  url: "/openapi.json",
  pageTitle: "Plaza API",
  withDefaultFonts: false,
  agent: { disabled: true },
  cdn: SCALAR_SCRIPT_PATH,
});

const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g;

/**
 * Scalar's script from this origin, and its inline start-up script by hash (that script is the
 * same for every request). Scalar styles what it renders with style elements and attributes,
 * hence inline styles; it reads /openapi.json from here.
 */
export function apiDocsSources(html: string): PageSources {
  const inlineScripts = [...html.matchAll(INLINE_SCRIPT)].map((m) => inlineHash(m[1]!));
  return {
    "script-src": ["'self'", ...inlineScripts],
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
