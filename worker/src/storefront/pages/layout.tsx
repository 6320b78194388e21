import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { LEGAL_PAGE_ORDER, LEGAL_PAGES } from "../../../../shared/legal";
import { STOREFRONT_CSS } from "./styles";

export interface LayoutProps {
  title: string;
  description: string;
  /** Pre-fills the header search box on search pages. */
  query?: string;
  /** Unlisted items: reachable by link, kept out of search engines. */
  noindex?: boolean;
  /** Reload (to `url`) after `seconds`: how a page without JavaScript waits for something. */
  refresh?: { seconds: number; url: string };
  children?: Child;
}

/** The frame of every storefront page: header with search, main, footer with the legal pages. Works without JS. */
export function Layout({ title, description, query, noindex, refresh, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title === "Plaza" ? "Plaza — plugins and digital goods" : `${title} · Plaza`}</title>
        <meta name="description" content={description} />
        {noindex && <meta name="robots" content="noindex" />}
        {refresh && <meta http-equiv="refresh" content={`${refresh.seconds}; url=${refresh.url}`} />}
        {/* A constant of ours, not user input: raw, so quotes in it are not entity-escaped. */}
        <style>{raw(STOREFRONT_CSS)}</style>
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site">
          <div class="wrap">
            <a class="brand" href="/">
              Plaza
            </a>
            <search>
              <form action="/search" method="get">
                <label for="site-search" class="vh">
                  Search Plaza
                </label>
                <input id="site-search" type="search" name="q" value={query ?? ""} placeholder="Search plugins…" maxlength={200} />
                <button type="submit">Search</button>
              </form>
            </search>
            <nav aria-label="Account">
              <a href="/dashboard">Dashboard</a>
            </nav>
          </div>
        </header>
        <main id="main" class="wrap" tabindex={-1}>
          {children}
        </main>
        <footer class="site">
          <div class="wrap">
            <span>Plaza · an edge-native marketplace</span>
            <nav aria-label="Legal and support">
              {LEGAL_PAGE_ORDER.map((page) => (
                <a href={LEGAL_PAGES[page].path}>{LEGAL_PAGES[page].title}</a>
              ))}
            </nav>
          </div>
        </footer>
      </body>
    </html>
  );
}
