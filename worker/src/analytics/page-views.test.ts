import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { insertItem } from "../../test/catalog-fixtures";
import { eventually } from "../../test/eventually";
import { createOrg, createUser } from "../../test/fixtures";
import { call } from "../../test/http";
import { JOBS, jobContext } from "../../test/jobs";
import { utcDay } from "../db/rollups";
import type { PageViewMessage } from "../env";
import worker from "../index";
import { isCountedView } from "./page-views";

const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const DAY_MS = 86_400_000;

let orgId: string;
let item: { id: string; slug: string };

beforeAll(async () => {
  const author = await createUser("page-views");
  orgId = (await createOrg(author)).id;
  item = await insertItem(orgId, { name: "Viewed Thing" });
});

async function bucketViews(itemId: string, day: string) {
  const row = await env.DB.prepare("SELECT page_views FROM analytics_daily WHERE item_id = ? AND day = ?")
    .bind(itemId, day)
    .first<{ page_views: number }>();
  return row?.page_views;
}

const rawViews = async (itemId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM page_views WHERE item_id = ?").bind(itemId).first<{ n: number }>())!.n;

/** A queued view of `slug` at `at`, sent from the outbox up to a second later. */
const viewMessage = (slug: string, at: Date, id: string = crypto.randomUUID()) => ({
  id,
  timestamp: new Date(at.getTime() + 1000),
  body: { slug, viewedAt: at.getTime() },
});

/** Hands the consumer a batch as Queues would (a redelivery keeps the message's id). */
async function deliver(messages: { id: string; timestamp: Date; body: PageViewMessage }[]) {
  const batch = createMessageBatch<PageViewMessage>(
    "plaza-analytics",
    messages.map((m) => ({ ...m, attempts: 1 })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, env as never);
  return getQueueResult(batch, ctx);
}

describe("storefront item page views", () => {
  it("a person's view is queued after the page is answered and lands in today's bucket, a cache hit too", async () => {
    const today = utcDay(Date.now());
    let requests = 0;
    const view = () => {
      requests++;
      return call<string>("GET", `/items/${item.slug}`, { headers: { "user-agent": BROWSER } });
    };
    expect((await view()).status).toBe(200);
    await eventually(async () => ((await bucketViews(item.id, today)) === 1 ? true : undefined), "the first view counted");
    // The page is put into the edge cache in waitUntil: views until one is answered from there.
    await eventually(async () => ((await view()).headers.get("x-cache") === "HIT" ? true : undefined), "a cache hit");
    await eventually(async () => ((await bucketViews(item.id, today)) === requests ? true : undefined), "every view counted");
    expect(await rawViews(item.id)).toBe(requests);
  });

  it("crawlers, scripts, prefetches and HEAD requests are not counted", async () => {
    const quiet = await insertItem(orgId, { name: "Quiet Thing" });
    const notPeople: Record<string, string>[] = [
      { "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" },
      { "user-agent": "curl/8.5.0" },
      {},
      { "user-agent": BROWSER, "sec-purpose": "prefetch" },
    ];
    for (const headers of notPeople) {
      expect((await call<string>("GET", `/items/${quiet.slug}`, { headers })).status).toBe(200);
    }
    expect((await call<string>("HEAD", `/items/${quiet.slug}`, { headers: { "user-agent": BROWSER } })).status).toBe(200);
    // Then one view that counts: once it is in, anything the requests above had sent would be too.
    await call<string>("GET", `/items/${quiet.slug}`, { headers: { "user-agent": BROWSER } });
    await eventually(async () => ((await rawViews(quiet.id)) > 0 ? true : undefined), "the person's view");
    expect(await rawViews(quiet.id)).toBe(1);
    expect(await bucketViews(quiet.id, utcDay(Date.now()))).toBe(1);
  });

  it("a page that is not there is not a view", async () => {
    expect((await call<string>("GET", "/items/no-such-item-here", { headers: { "user-agent": BROWSER } })).status).toBe(404);
    expect(isCountedView("GET", new Headers({ "user-agent": BROWSER }))).toBe(true);
    expect(isCountedView("POST", new Headers({ "user-agent": BROWSER }))).toBe(false);
  });
});

describe("the plaza-analytics consumer", () => {
  it("counts a redelivered message once, in the bucket of the day it was viewed", async () => {
    const counted = await insertItem(orgId, { name: "Counted Thing" });
    const sentAt = new Date(Date.now() - 3 * DAY_MS);
    const day = utcDay(sentAt.getTime());
    const views = [0, 1, 2].map(() => viewMessage(counted.slug, sentAt));
    const result = await deliver(views);
    expect(result.explicitAcks.length + (result.ackAll ? views.length : 0)).toBeGreaterThan(0);
    expect(result.retryMessages).toEqual([]);
    expect(await bucketViews(counted.id, day)).toBe(3);

    // Queues delivers at least once: the same message again, alone and beside a new one.
    await deliver([views[1]!]);
    await deliver([views[2]!, viewMessage(counted.slug, sentAt)]);
    expect(await bucketViews(counted.id, day)).toBe(4);
    expect(await rawViews(counted.id)).toBe(4);

    // A view in the day's last second, sent from the outbox after midnight, stays in its day.
    const lastSecond = new Date(Date.parse(`${day}T23:59:59.500Z`));
    await deliver([viewMessage(counted.slug, lastSecond)]);
    expect(await bucketViews(counted.id, day)).toBe(5);
  });

  it("drops a view of a slug no item has, and keeps the other views of its batch", async () => {
    const kept = await insertItem(orgId, { name: "Kept Thing" });
    const now = new Date();
    const result = await deliver([viewMessage("deleted-since", now), viewMessage(kept.slug, now)]);
    expect(result.retryMessages).toEqual([]);
    expect(await bucketViews(kept.id, utcDay(now.getTime()))).toBe(1);
    expect(
      (await env.DB.prepare("SELECT count(*) AS n FROM page_views WHERE item_id NOT IN (SELECT id FROM items)").first<{ n: number }>())!.n,
    ).toBe(0);
  });
});

describe("purge-page-views", () => {
  it("deletes raw views of days older than 35, whole days, and keeps their daily counts", async () => {
    const old = await insertItem(orgId, { name: "Old Thing" });
    const now = Date.UTC(2026, 5, 15, 12);
    const at = (daysAgo: number, hour: number) => new Date(Date.UTC(2026, 5, 15 - daysAgo, hour));
    await deliver([
      viewMessage(old.slug, at(36, 23)),
      viewMessage(old.slug, at(35, 0)),
      viewMessage(old.slug, at(35, 23)),
      viewMessage(old.slug, at(1, 9)),
    ]);
    const processed = await JOBS["purge-page-views"]!(jobContext(env, now));
    expect(processed).toBeGreaterThanOrEqual(1);
    const days = await env.DB.prepare("SELECT day FROM page_views WHERE item_id = ? ORDER BY day").bind(old.id).all<{ day: string }>();
    // The day 35 days back is kept whole (both of its views), however late in it the purge runs.
    expect(days.results.map((r) => r.day)).toEqual(["2026-05-11", "2026-05-11", "2026-06-14"]);
    expect(await bucketViews(old.id, "2026-05-10")).toBe(1);
  });
});

describe("analytics-backfill and page views", () => {
  it("recounts the days that still have raw views and keeps the counts of days purged before", async () => {
    const rebuilt = await insertItem(orgId, { name: "Rebuilt Thing" });
    const sentAt = new Date(Date.now() - 2 * DAY_MS);
    const recent = utcDay(sentAt.getTime());
    await deliver([0, 1].map(() => viewMessage(rebuilt.slug, sentAt)));
    // Counts gone wrong (say, by a bug since fixed), and a day long purged: only its count is left.
    await env.DB.prepare("UPDATE analytics_daily SET page_views = 99 WHERE item_id = ? AND day = ?").bind(rebuilt.id, recent).run();
    await env.DB.prepare("INSERT INTO analytics_daily (org_id, item_id, day, page_views, updated_at) VALUES (?, ?, '2020-01-06', 42, 0)")
      .bind(orgId, rebuilt.id)
      .run();

    const noViews = utcDay(Date.now() - 5 * DAY_MS);
    await env.DB.prepare("INSERT INTO analytics_daily (org_id, item_id, day, page_views, updated_at) VALUES (?, ?, ?, 7, 0)")
      .bind(orgId, rebuilt.id, noViews)
      .run();

    await JOBS["analytics-backfill"]!(jobContext(env, Date.now()));
    expect(await bucketViews(rebuilt.id, recent)).toBe(2);
    expect(await bucketViews(rebuilt.id, noViews)).toBe(0);
    expect(await bucketViews(rebuilt.id, "2020-01-06")).toBe(42);
  });
});
