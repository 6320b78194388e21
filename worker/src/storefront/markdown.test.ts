import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../../shared/markdown";

describe("renderMarkdown", () => {
  it("renders CommonMark and GFM", () => {
    const html = renderMarkdown("# Title\n\n**bold** and ~~gone~~\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done");
    expect(html).toContain("<h1>Title</h1>");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<del>gone</del>");
    expect(html).toContain("<table>");
    expect(html).toContain('type="checkbox"');
  });

  it("demotes headings below the page's own", () => {
    expect(renderMarkdown("# A\n\n###### B", { headingOffset: 2 })).toBe("<h3>A</h3>\n<h6>B</h6>");
  });

  it("escapes raw HTML instead of passing it through", () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\ntext <b onclick="x()">b</b>');
    expect(html).not.toMatch(/<script|<img|<b /i);
    expect(html).toContain("&lt;script&gt;");
  });

  it("drops dangerous link and image protocols", () => {
    const html = renderMarkdown(
      "[click](javascript:alert(1)) [data](data:text/html,hi) ![img](javascript:alert(2)) <javascript:alert(3)> [vb](VBScript:x)",
    );
    const urls = [...html.matchAll(/(?:href|src)="([^"]*)"/g)].map((m) => m[1]);
    expect(urls).toHaveLength(5);
    for (const url of urls) expect(url).toBe("");
  });

  it("marks every link as user content", () => {
    const html = renderMarkdown("[site](https://example.com) and https://auto.example.com and <https://angle.example.com>");
    const links = html.match(/<a [^>]*>/g) ?? [];
    expect(links).toHaveLength(3);
    for (const link of links) expect(link).toContain('rel="nofollow ugc noopener"');
  });
});
