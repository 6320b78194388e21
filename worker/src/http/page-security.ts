import { createHash } from "node:crypto";
import { createMiddleware } from "hono/factory";
import type { AppEnv, Env } from "../env";

/**
 * What a kind of page may load, by CSP directive. Whatever a page does not list is refused:
 * `default-src` and `form-action` are `'none'` unless the page sets them.
 */
export type PageSources = Partial<
  Record<"default-src" | "script-src" | "style-src" | "img-src" | "font-src" | "connect-src" | "form-action", readonly string[]>
>;

/** Browsers POST violations here. `report-uri`, not `report-to`: Chromium batches the latter for up to a minute. */
export const CSP_REPORT_PATH = "/v1/csp-reports";

/**
 * The headers of every HTML response: a CSP allowing `sources` and nothing else, never framed
 * (`frame-ancestors` and, for older browsers, X-Frame-Options), no MIME sniffing, no referrer
 * (links carry sign-in and checkout tokens in their query).
 */
export function pageSecurityHeaders(sources: PageSources): Record<string, string> {
  const policy: Record<string, readonly string[]> = {
    "default-src": ["'none'"],
    "form-action": ["'none'"],
    ...sources,
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "report-uri": [CSP_REPORT_PATH],
  };
  return {
    "content-security-policy": Object.entries(policy)
      .map(([directive, values]) => `${directive} ${values.join(" ")}`)
      .join("; "),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
}

/** A CSP source allowing exactly this inline `<script>` or `<style>` content. */
export const inlineHash = (content: string) => `'sha256-${createHash("sha256").update(content).digest("base64")}'`;

/**
 * Stamps `pageSecurityHeaders` on every HTML response, with the sources its route declared
 * through `pageSources` (none: nothing loads). Also on 304s: a revalidated page takes the headers
 * of the 304 (RFC 9111 §4.3.4). Register it before secureHeaders(), so that its headers are set
 * last and X-Frame-Options is DENY, not secureHeaders' SAMEORIGIN.
 */
export const pageSecurity = () =>
  createMiddleware<AppEnv>(async function pageSecurity(c, next) {
    await next();
    const html = /^text\/html\b/i.test(c.res.headers.get("content-type") ?? "");
    if (!html && c.res.status !== 304) return;
    for (const [name, value] of Object.entries(pageSecurityHeaders(c.get("pageSources") ?? {}))) c.res.headers.set(name, value);
  });

/** Declares what the pages of a route load; put it before any cache, whose hits skip the handler. */
export const pageSources = (sources: (env: Env) => PageSources) =>
  createMiddleware<AppEnv>(async function pageSources(c, next) {
    c.set("pageSources", sources(c.env));
    await next();
  });
