import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { ItemT } from "../../../shared/catalog";
import type { MediaImageT } from "../../../shared/media";
import { publishedItem, publishVersion } from "../../test/catalog-api";
import { insertItem } from "../../test/catalog-fixtures";
import { eventually } from "../../test/eventually";
import { createOrg, createUser, type TestUser } from "../../test/fixtures";
import { call } from "../../test/http";
import { JOBS, jobContext } from "../../test/jobs";
import { fixtureBytes, PDF_AS_PNG, WIDE_PNG } from "../../test/media-fixtures";

const DESCRIPTION = [
  "## Features",
  "",
  "Turns **notes** into tables.",
  "",
  "<script>alert('xss')</script>",
  "",
  "[docs](https://docs.example.com) [evil](javascript:alert(1)) <img src=x onerror=alert(2)>",
].join("\n");

let author: TestUser;
let org: { id: string; slug: string };
let item: { id: string; slug: string };

const page = (path: string, headers?: Record<string, string>) => call<string>("GET", path, { headers });

/** A put into the Cache API happens in waitUntil, after the response: poll until it is there. */
async function untilCached(path: string) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const res = await page(path);
    if (res.headers.get("x-cache") === "HIT") return res;
    if (Date.now() > deadline) throw new Error(`${path} never came from the cache`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  author = await createUser("storefront");
  org = await createOrg(author, `sf-author-${Date.now().toString(36)}`);
  item = await publishedItem(author, org.id, {
    slug: `note-tables-${Date.now().toString(36)}`,
    name: "Note Tables",
    summary: "Tables from your notes",
    description: DESCRIPTION,
    tags: ["tables", "notes"],
  });
  await insertItem(org.id, {
    slug: "paid-gizmo",
    name: "Paid Gizmo",
    summary: "Costs money",
    pricing: { model: "one_time", amount: 1999, currency: "usd" },
    latestVersion: "1.0.0",
    downloads: 40,
  });
  await insertItem(org.id, { slug: "secret-draft", name: "Secret Draft", status: "draft" });
  await insertItem(org.id, { slug: "taken-down", name: "Taken Down", status: "removed" });
});

describe("storefront pages", () => {
  it("home shows featured, new and top rated items and a search form", async () => {
    const res = await page("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.body).toContain("<title>Plaza — plugins and digital goods</title>");
    expect(res.body).toMatch(/<meta name="description" content="[^"]+"/);
    for (const heading of ["Featured", "New", "Top rated"]) expect(res.body).toContain(`>${heading}</h2>`);
    expect(res.body).toContain(`href="/items/${item.slug}"`);
    expect(res.body).toContain('action="/search"');
    expect(res.body).not.toContain("Secret Draft");
    expect(res.body).not.toContain("<script");
  });

  it("search renders results, keeps the filters, and pages with a Next link", async () => {
    const res = await page("/search?q=notes&category=&price=free&sort=");
    expect(res.status).toBe(200);
    expect(res.body).toContain("Results for “notes”");
    expect(res.body).toContain(`href="/items/${item.slug}"`);
    expect(res.body).toMatch(/<option value="free" selected="">Free<\/option>/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=60, s-maxage=60");

    const first = await page("/search?sort=downloads&limit=1");
    expect(first.body).toContain("Paid Gizmo");
    const next = /href="(\/search\?[^"]*cursor=[^"]*)" rel="next"/.exec(first.body)?.[1];
    expect(next).toBeDefined();
    const second = await page(next!.replaceAll("&amp;", "&"));
    expect(second.status).toBe(200);
    expect(second.body).toContain("Note Tables");
    expect(second.body).not.toContain("Paid Gizmo");
  });

  it("answers bad search parameters with a 400 page, not a 500", async () => {
    for (const query of ["category=nope", "sort=relevance", "cursor=garbage&sort=newest", "limit=500", "engine=x.y"]) {
      const res = await page(`/search?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(res.body).toContain("<h1>Bad request</h1>");
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("item page shows the item, its sanitized description, versions and a Get link", async () => {
    const res = await page(`/items/${item.slug}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain("<title>Note Tables · Plaza</title>");
    expect(res.body).toContain('<meta name="description" content="Tables from your notes"/>');
    expect(res.body).toContain("<h1>Note Tables</h1>");
    expect(res.body).toContain(`href="/authors/${org.slug}"`);
    expect(res.body).toContain("<h4>Features</h4>");
    expect(res.body).toContain("<strong>notes</strong>");
    expect(res.body).toContain('<a rel="nofollow ugc noopener" href="https://docs.example.com">docs</a>');
    expect(res.body).toContain("Changes in 1.0.0");
    expect(res.body).toContain(`href="/get/${item.slug}"`);
    expect(res.body).toContain(">Free</p>");
    expect(res.body).toContain('href="/search?tag=tables"');
    expect(res.body).toContain("No reviews yet");
  });

  it("never lets author HTML or javascript: links into the page", async () => {
    const res = await page(`/items/${item.slug}`);
    expect(res.body).not.toMatch(/<script|<img[^>]*onerror/i);
    expect(res.body).not.toMatch(/href="\s*javascript:/i);
    expect(res.body).toContain("&lt;script&gt;");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  it("formats prices and offers Buy for paid items", async () => {
    const res = await page("/items/paid-gizmo");
    expect(res.body).toContain("$19.99");
    expect(res.body).toMatch(/>\s*Buy\s*(<!-- -->)?\s*Paid Gizmo/);
  });

  it("highlights ?version= and uses the short TTL for it", async () => {
    const res = await page(`/items/${item.slug}?version=1.0.0`);
    expect(res.body).toMatch(/<li id="v1.0.0" class="highlight" aria-current="true">/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=60, s-maxage=60");
    expect((await page(`/items/${item.slug}`)).headers.get("cache-control")).toBe("public, max-age=60, s-maxage=300");
  });

  it("answers unknown, draft and removed items and unknown authors with a 404 page", async () => {
    for (const path of [
      "/items/no-such-item",
      "/items/secret-draft",
      "/items/taken-down",
      "/authors/no-such-org",
      "/items/a/b",
      "/items/BAD%20SLUG",
    ]) {
      const res = await page(path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).toContain("<h1>Not found</h1>");
    }
  });

  it("author page lists the org's published items only", async () => {
    const res = await page(`/authors/${org.slug}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain(`<h1>Org ${org.slug}</h1>`);
    expect(res.body).toContain("Note Tables");
    expect(res.body).toContain("Paid Gizmo");
    expect(res.body).not.toContain("Secret Draft");
    expect(res.body).not.toContain("Taken Down");
  });
});

describe("item images on the storefront", () => {
  it("shows ready images as <img srcset> of their variants over the inline placeholder, sized ahead; a failed one never", async () => {
    const shown = await publishedItem(author, org.id, { slug: `pictured-${Date.now().toString(36)}`, name: "Pictured" });
    const { exports } = await import("cloudflare:workers");
    const worker = (exports as unknown as { default: Fetcher }).default;
    const send = (method: string, path: string, base64: string) => {
      const body = fixtureBytes(base64);
      return worker.fetch(`http://plaza.test/v1/orgs/${org.id}/items/${shown.id}/${path}`, {
        method,
        headers: { authorization: `Bearer ${author.accessToken}`, "content-type": "image/png", "content-length": String(body.length) },
        body,
      });
    };
    expect((await send("PUT", "icon", WIDE_PNG)).status).toBe(200);
    expect((await send("POST", "screenshots", WIDE_PNG)).status).toBe(201);
    expect((await send("POST", "screenshots", PDF_AS_PNG)).status).toBe(201);
    const settled = (image: MediaImageT | null) => image?.state === "ready" || image?.state === "failed";
    const item = await eventually(async () => {
      const { body } = await call<ItemT>("GET", `/v1/orgs/${org.id}/items/${shown.id}`, { token: author.accessToken });
      return settled(body.icon) && body.screenshots.every(settled) ? body : undefined;
    }, "the images processed");
    const [icon, screenshot, pdf] = [item.icon!, item.screenshots[0]!, item.screenshots[1]!];
    expect([icon.state, screenshot.state, pdf.state]).toEqual(["ready", "ready", "failed"]);

    const res = await page(`/items/${shown.slug}`);
    expect(res.headers.get("content-security-policy")).toContain("img-src 'self' https: data:");
    const srcset = (image: MediaImageT) => [128, 512, 1280].map((w) => `${image.url}?w=${w} ${w}w`).join(", ");
    // The icon above the fold (no lazy loading), the screenshot (1400 × 700) in a 440 × 220 box below it.
    expect(res.body).toContain(
      `<span class="media"><img class="placeholder" src="${icon.placeholder}" alt="" aria-hidden="true" width="96" height="96"/>` +
        `<img class="icon large" srcset="${srcset(icon)}" sizes="96px" src="${icon.url}?w=128" alt="" width="96" height="96" decoding="async"/></span>`,
    );
    expect(res.body).toContain(
      `<img class="shot" srcset="${srcset(screenshot)}" sizes="440px" src="${screenshot.url}?w=512" alt="Pictured screenshot 1" width="440" height="220" loading="lazy" decoding="async"/>`,
    );
    expect(icon.placeholder).toMatch(/^data:image\/webp;base64,/);
    expect(res.body).not.toContain(pdf.url);
    expect(res.body.match(/class="shot"/g)).toHaveLength(1);
  });
});

describe("storefront caching", () => {
  it("sends a strong ETag and answers If-None-Match with 304", async () => {
    const res = await page(`/authors/${org.slug}`);
    const etag = res.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=60, s-maxage=300");
    const again = await page(`/authors/${org.slug}`, { "if-none-match": etag! });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();
  });

  it("serves from the cache, and purges when the item changes through the API", async () => {
    const path = `/items/${item.slug}`;
    await page(path);
    const hit = await untilCached(path);
    expect(hit.body).toContain("Tables from your notes");
    await untilCached("/");
    await untilCached(`/authors/${org.slug}`);

    const patched = await call("PATCH", `/v1/orgs/${org.id}/items/${item.id}`, {
      token: author.accessToken,
      body: { summary: "Now with charts" },
    });
    expect(patched.status).toBe(200);
    for (const purged of [path, "/", `/authors/${org.slug}`]) {
      const res = await page(purged);
      expect(res.headers.get("x-cache"), purged).toBe("MISS");
      expect(res.body, purged).toContain("Now with charts");
    }
  });

  it("purges the item page when a version is published or yanked", async () => {
    const path = `/items/${item.slug}`;
    await untilCached(path);
    expect((await publishVersion(author, item.slug, "1.1.0")).status).toBe(201);
    const afterPublish = await page(path);
    expect(afterPublish.headers.get("x-cache")).toBe("MISS");
    expect(afterPublish.body).toContain("Changes in 1.1.0");

    await untilCached(path);
    const yank = await call("POST", `/v1/orgs/${org.id}/items/${item.id}/versions/1.1.0/yank`, { token: author.accessToken });
    expect(yank.status).toBe(200);
    const afterYank = await page(path);
    expect(afterYank.headers.get("x-cache")).toBe("MISS");
    expect(afterYank.body).not.toContain("Changes in 1.1.0");
  });

  it("purges the item page when its icon's variants are made", async () => {
    const path = `/items/${item.slug}`;
    const { exports } = await import("cloudflare:workers");
    const body = fixtureBytes(WIDE_PNG);
    const put = await (exports as unknown as { default: Fetcher }).default.fetch(
      `http://plaza.test/v1/orgs/${org.id}/items/${item.id}/icon`,
      {
        method: "PUT",
        headers: { authorization: `Bearer ${author.accessToken}`, "content-type": "image/png", "content-length": String(body.length) },
        body,
      },
    );
    expect(put.status).toBe(200);
    const key = ((await put.json()) as ItemT).iconUrl!.replace(/^\/media\//, "");
    const state = async () => (await env.DB.prepare("SELECT state FROM media WHERE key = ?").bind(key).first<{ state: string }>())?.state;
    await eventually(async () => ((await state()) === "ready" ? true : undefined), "the icon processed");
    // As the migration leaves images stored before the pipeline: waiting, and left out of the page that gets cached.
    await env.DB.prepare("UPDATE media SET state = 'uploaded', updated_at = ? WHERE key = ?")
      .bind(Date.now() - 11 * 60_000, key)
      .run();
    expect((await untilCached(path)).body).not.toContain(`/media/${key}?w=`);

    expect(await JOBS["process-stalled-media"]!(jobContext(env, Date.now()))).toBeGreaterThanOrEqual(1);
    await eventually(async () => ((await state()) === "ready" ? true : undefined), "the icon processed again");
    const shown = await page(path);
    expect(shown.headers.get("x-cache")).toBe("MISS");
    expect(shown.body).toContain(`/media/${key}?w=128`);
  });

  it("purges when an operator removes the item", async () => {
    const operator = await createUser("sf-operator");
    await env.DB.prepare("UPDATE users SET is_operator = 1 WHERE id = ?").bind(operator.id).run();
    const path = `/items/${item.slug}`;
    await untilCached(path);
    const removed = await call("POST", `/v1/operator/items/${item.id}/moderation`, {
      token: operator.accessToken,
      body: { action: "remove", reason: "test" },
    });
    expect(removed.status).toBe(200);
    expect((await page(path)).status).toBe(404);
  });
});
