import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { SearchQuery } from "../../../shared/catalog";
import { insertItem } from "../../test/catalog-fixtures";
import { createOrg, createUser } from "../../test/fixtures";
import { type CallResult, call, errorCode } from "../../test/http";
import { createDb } from "../db/client";
import { searchItems, toFtsQuery } from "./search";

const slugs = (res: { body: { data: { slug: string }[] } }) => res.body.data.map((i) => i.slug);
const search = (query: string) => call("GET", `/v1/search?${query}`);

let orgId: string;
beforeAll(async () => {
  const author = await createUser("searcher");
  orgId = (await createOrg(author)).id;
  await insertItem(orgId, {
    slug: "markdown-pro",
    name: "Markdown Pro",
    summary: "Write markdown fast",
    tags: ["markdown", "editor"],
    category: "editor",
    latestVersion: "1.0.0",
    latestEngineRange: "^1.0.0",
    downloads: 50,
  });
  await insertItem(orgId, {
    slug: "md-preview",
    name: "Preview",
    summary: "Live markdown preview",
    tags: ["markdown"],
    category: "editor",
    latestVersion: "2.0.0",
    latestEngineRange: "^2.0.0",
    downloads: 5000,
    pricing: { model: "one_time", amount: 500, currency: "usd" },
  });
  await insertItem(orgId, {
    slug: "ai-helper",
    name: "AI Helper",
    summary: "Suggestions from a model",
    tags: ["ai"],
    category: "ai",
    latestVersion: "1.0.0",
    latestEngineRange: ">=1.0.0",
    downloads: 10,
  });
  await insertItem(orgId, { slug: "hidden-draft", name: "Markdown Draft", status: "draft" });
  await insertItem(orgId, { slug: "unlisted-md", name: "Markdown Unlisted", status: "unlisted" });
});

describe("FTS query building", () => {
  it("quotes every word, makes the last a prefix, and drops FTS syntax", () => {
    expect(toFtsQuery('mark "down" OR NEAR(')).toBe('"mark" "down" "or" "near"*');
    expect(toFtsQuery("***")).toBeNull();
    expect(toFtsQuery("café")).toBe('"café"*');
  });
});

describe("search", () => {
  it("finds published items by text, never drafts or unlisted ones", async () => {
    expect(slugs(await search("q=markdown")).sort()).toEqual(["markdown-pro", "md-preview"]);
    expect(slugs(await search("q=mark"))).toHaveLength(2);
    expect(slugs(await search("q=suggestion"))).toEqual(["ai-helper"]);
  });

  it("ranks a name match above a description match, and breaks text ties by rating and downloads", async () => {
    await insertItem(orgId, { slug: "zephyr-name", name: "Zephyr", summary: "A tool" });
    await insertItem(orgId, { slug: "zephyr-desc", name: "Other", summary: "A tool", description: "Works well with zephyr" });
    expect(slugs(await search("q=zephyr"))).toEqual(["zephyr-name", "zephyr-desc"]);

    await insertItem(orgId, { slug: "twin-a", name: "Twin gadget", summary: "Same words", downloads: 10 });
    await insertItem(orgId, { slug: "twin-b", name: "Twin gadget", summary: "Same words", downloads: 9000 });
    expect(slugs(await search("q=twin"))).toEqual(["twin-b", "twin-a"]);
    await env.DB.prepare("UPDATE items SET review_count = 50, rating_sum = 250 WHERE slug = 'twin-a'").run();
    await env.DB.prepare("UPDATE items SET review_count = 50, rating_sum = 50 WHERE slug = 'twin-b'").run();
    expect(slugs(await search("q=twin&sort=rating"))).toEqual(["twin-a", "twin-b"]);
  });

  it("filters by category, tag, price and engine compatibility", async () => {
    expect(slugs(await search("category=ai"))).toEqual(["ai-helper"]);
    expect(slugs(await search("tag=markdown")).sort()).toEqual(["markdown-pro", "md-preview"]);
    expect(slugs(await search("price=paid"))).toEqual(["md-preview"]);
    expect(slugs(await search("price=free&q=markdown"))).toEqual(["markdown-pro"]);
    expect(slugs(await search("engine=2.1.0&q=markdown")).sort()).toEqual(["md-preview"]);
    expect(slugs(await search("engine=1.4.0")).sort()).toEqual(["ai-helper", "markdown-pro"]);
  });

  it("sorts by downloads and newest, and pages with a cursor without gaps or repeats", async () => {
    expect(slugs(await search("tag=markdown&sort=downloads"))).toEqual(["md-preview", "markdown-pro"]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: CallResult<{ data: { slug: string }[]; nextCursor: string | null }> = await search(
        `category=editor&sort=newest&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      seen.push(...slugs(page));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(["markdown-pro", "md-preview"]);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("keeps the index in sync after an update and a delete", async () => {
    // Straight to the index: HTTP answers are edge-cached for up to 60 s by design.
    const direct = async (q: string) =>
      (await searchItems({ env, db: createDb(env.DB) }, SearchQuery.parse({ q }))).data.map((i) => i.slug);
    await env.DB.prepare("UPDATE items SET name = 'Quill', summary = 'Typesetting' WHERE slug = 'ai-helper'").run();
    expect(await direct("quill")).toEqual(["ai-helper"]);
    expect(await direct("suggestion")).toEqual([]);
    await env.DB.prepare("DELETE FROM items WHERE slug = 'ai-helper'").run();
    expect(await direct("quill")).toEqual([]);
  });

  it("answers from the edge cache with an ETag, and 304 when the client's copy is current", async () => {
    const first = await search("q=markdown&category=editor");
    expect(first.headers.get("x-cache")).toBe("MISS");
    expect(first.headers.get("cache-control")).toContain("s-maxage=60");
    const second = await search("q=markdown&category=editor");
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect(second.body).toEqual(first.body);
    const revalidated = await call("GET", "/v1/search?q=markdown&category=editor", {
      headers: { "if-none-match": first.headers.get("etag")! },
    });
    expect(revalidated.status).toBe(304);
    // Errors are never cached.
    expect((await search("sort=banana")).headers.get("cache-control")).toBe("no-store");
  });

  it("refuses bad parameters with the field named", async () => {
    const sort = await search("sort=relevance");
    expect([sort.status, errorCode(sort), Object.keys(sort.body.error.fields)]).toEqual([400, "invalid_request", ["query.sort"]]);
    const cursor = await search("sort=downloads&cursor=garbage");
    expect(Object.keys(cursor.body.error.fields)).toEqual(["query.cursor"]);
    const engine = await search("engine=banana");
    expect(Object.keys(engine.body.error.fields)).toEqual(["query.engine"]);
  });
});
