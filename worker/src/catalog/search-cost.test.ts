import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { SearchQuery } from "../../../shared/catalog";
import { createOrg, createUser } from "../../test/fixtures";
import { createDb } from "../db/client";
import { searchItems } from "./search";

/**
 * The cost of a search must follow what it returns, not how much matches: D1 bills (and slows
 * down with) rows read. 400 items all match "widget"; a page of 20 must read at most 10× that.
 */
const ITEMS = 400;

beforeAll(async () => {
  const author = await createUser("bulk");
  const { id: orgId } = await createOrg(author);
  const now = Date.now();
  const rows = Array.from({ length: ITEMS }, (_, n) => {
    const category = n % 4 === 0 ? "ai" : "editor";
    const tags = n % 2 === 0 ? "widget common" : "widget";
    return `('itm_bulk${String(n).padStart(12, "0")}', '${orgId}', 'bulk-${n}', 'Widget ${n}', 'A widget for everything', '', '${category}', '${tags}', '{"model":"free"}', 1, 'published', '[]', ${(n * 37) % 1000}, ${(n * 13) % 50}, ${(n * 7) % 200}, '1.0.0', '^1.0.0', ${now}, ${now}, ${now - n})`;
  });
  for (let i = 0; i < rows.length; i += 100) {
    await env.DB.prepare(
      `INSERT INTO items (id, org_id, slug, name, summary, description, category, tags, pricing, is_free, status, screenshot_keys, downloads, review_count, rating_sum, latest_version, latest_engine_range, created_at, updated_at, published_at) VALUES ${rows.slice(i, i + 100).join(",")}`,
    ).run();
  }
});

const search = (query: Record<string, string>) => searchItems({ env, db: createDb(env.DB) }, SearchQuery.parse(query));

describe("rows read per search stay within 10× of rows returned", () => {
  it.each([
    [{ q: "widget" }],
    [{ q: "widget", category: "ai" }],
    [{ q: "widg", price: "free" }],
    [{ sort: "downloads" }],
    [{ sort: "rating" }],
    [{ sort: "newest", category: "editor" }],
    [{ q: "widget", sort: "downloads" }],
    [{ q: "common", sort: "rating", category: "editor" }],
  ])("%j", async (query) => {
    const first = await search(query);
    expect(first.data).toHaveLength(20);
    expect(first.rowsRead).toBeGreaterThanOrEqual(first.data.length);
    expect(first.rowsRead).toBeLessThanOrEqual(10 * first.data.length);
    const second = await search({ ...query, cursor: first.nextCursor! });
    expect(second.data).toHaveLength(20);
    expect(second.data.map((i) => i.id)).not.toContain(first.data[0]!.id);
  });

  it("pages through every relevance match exactly once", async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof search>> = await search({ q: "widget", limit: "50", ...(cursor ? { cursor } : {}) });
      for (const item of page.data) {
        expect(seen.has(item.id)).toBe(false);
        seen.add(item.id);
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.size).toBe(ITEMS);
  });
});
