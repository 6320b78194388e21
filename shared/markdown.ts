/** Author-written Markdown as HTML, rendered the same by the storefront (server) and the studio's preview (browser). */
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";

/** What links in author-written text carry: no endorsement, user content, no window.opener. */
export const UGC_LINK_REL = "nofollow ugc noopener";

/**
 * Author-written Markdown (item descriptions, changelogs) → HTML that is safe to inline.
 * micromark escapes raw HTML by default (`allowDangerousHtml: false`) and drops URLs with
 * protocols other than http(s), mailto and relative ones (`allowDangerousProtocol: false`), so
 * every tag in the output is one micromark wrote. That is why adding `rel` with a plain
 * replacement is sound: escaped text never contains a literal `<a `. `headingOffset` demotes
 * headings so an author's `# Title` sits below the page's own h1/h2 outline.
 */
export function renderMarkdown(source: string, { headingOffset = 0 }: { headingOffset?: number } = {}): string {
  const html = micromark(source, {
    allowDangerousHtml: false,
    allowDangerousProtocol: false,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
  });
  return html
    .replaceAll("<a href=", `<a rel="${UGC_LINK_REL}" href=`)
    .replace(/<(\/?)h([1-6])>/g, (_, close: string, level: string) => `<${close}h${Math.min(6, Number(level) + headingOffset)}>`);
}
