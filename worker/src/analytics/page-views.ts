/**
 * Storefront item page views, counted by queue rather than sampled: every view a person makes is
 * one message, sent after the page is answered (a cache hit included) with up to 99 others, so
 * the cached page pays no D1 work and the count is exact. The consumer writes a raw row per message (keyed by the
 * message's id, so a redelivery adds nothing) and adds the rows it wrote to their day's
 * `page_views`, in one D1 batch. Raw rows are kept 35 days; the daily counts stay.
 */
import { getTableColumns, gte, inArray, lt, sql } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { itemOwnersBySlug } from "../catalog";
import type { Statement } from "../context";
import { createDb, type Db } from "../db/client";
import { insertRowsIgnoringConflicts } from "../db/json-rows";
import { utcDay } from "../db/rollups";
import type { AppEnv, Env, PageViewMessage } from "../env";
import { log } from "../http/log";
import { type ConsumerPolicy, failAll } from "../http/queue-consumer";
import type { Job } from "../module";
import { analyticsDaily, pageViews } from "./tables";

export const PAGE_VIEW_RETENTION_DAYS = 35;

/**
 * Requests that are not a person looking at the page: crawlers, link previews, uptime checks,
 * scripts and HTTP libraries (which name themselves), a browser's speculative prefetch, and no
 * User-Agent at all (every browser sends one).
 */
const NOT_A_PERSON =
  /bot\b|bot\/|crawl|spider|slurp|archiver|preview|facebookexternalhit|embedly|monitor|pingdom|lighthouse|headless|curl\/|wget\/|python|httpie|go-http-client|okhttp|java\/|node-fetch|axios|undici|^node$/i;

export function isCountedView(method: string, headers: Headers): boolean {
  if (method !== "GET") return false;
  const userAgent = headers.get("user-agent")?.trim() ?? "";
  if (userAgent === "" || NOT_A_PERSON.test(userAgent)) return false;
  const purpose = `${headers.get("sec-purpose") ?? ""} ${headers.get("purpose") ?? ""}`;
  return !/prefetch|prerender/i.test(purpose);
}

/**
 * Counts a view of the page at `/items/:slug` once it is answered (200, or 304 for a browser's
 * revalidation): the view is handed to the isolate's outbox, never awaited before the answer.
 */
export const countPageView = () =>
  createMiddleware<AppEnv>(async function countPageView(c, next) {
    await next();
    if (c.res.status !== 200 && c.res.status !== 304) return;
    if (!isCountedView(c.req.method, c.req.raw.headers)) return;
    const slug = c.req.param("slug");
    if (!slug) return;
    outbox.add(c.executionCtx, c.env.ANALYTICS_QUEUE, { slug, viewedAt: Date.now() });
  });

/** Queues' most messages in one `sendBatch`. */
const SEND_BATCH_MAX = 100;
/** How long a view may wait in the outbox for others to travel with. */
const OUTBOX_WAIT_MS = 1000;

/**
 * Views wait in the isolate up to a second and go to the queue up to 100 in one `sendBatch`, so
 * a busy page makes one queue call per hundred views instead of one per view. The request that
 * opens a wait keeps it alive with `waitUntil` until the views are sent, so none is left behind
 * when the isolate goes idle; a view carries its own time, so waiting does not move it to the
 * next day.
 */
class PageViewOutbox {
  private pending: PageViewMessage[] = [];
  private waiting = false;

  add(ctx: { waitUntil(promise: Promise<unknown>): void }, queue: Queue<PageViewMessage>, view: PageViewMessage) {
    this.pending.push(view);
    if (this.pending.length >= SEND_BATCH_MAX) ctx.waitUntil(this.send(queue));
    else if (!this.waiting) {
      this.waiting = true;
      ctx.waitUntil(
        new Promise((resolve) => setTimeout(resolve, OUTBOX_WAIT_MS)).then(() => {
          this.waiting = false;
          return this.send(queue);
        }),
      );
    }
  }

  private async send(queue: Queue<PageViewMessage>) {
    while (this.pending.length > 0) {
      const views = this.pending.splice(0, SEND_BATCH_MAX);
      await queue
        .sendBatch(views.map((body) => ({ body })))
        .catch((err) => log("warn", "page views not queued", { views: views.length, error: String(err) }));
    }
  }
}

const outbox = new PageViewOutbox();

const PAGE_VIEWS_QUEUE: ConsumerPolicy<PageViewMessage> = {
  queue: "plaza-analytics",
  retry: { baseSeconds: 10, maxSeconds: 300, jitter: 0.2 },
  about: (body) => ({ slug: body.slug }),
};

/**
 * `plaza-analytics`: one D1 batch for the whole message batch. For each touched bucket, its raw
 * rows go in (a row already there, from an earlier delivery, is skipped) and the bucket's
 * `page_views` grows by the rows that went in: `changes()` is the count of the statement just
 * before, and a D1 batch runs its statements in order in one transaction. A view of a slug no item
 * has (deleted since) is dropped. If the batch fails, nothing of it is written and every message is
 * retried.
 */
export async function consumePageViews(batch: MessageBatch<PageViewMessage>, env: Env) {
  const db = createDb(env.DB);
  try {
    const owners = await itemOwnersBySlug(
      db,
      batch.messages.map((m) => m.body.slug),
    );
    const buckets = new Map<string, [PageViewRow, ...PageViewRow[]]>();
    for (const m of batch.messages) {
      const item = owners.get(m.body.slug);
      if (!item) continue;
      const row = { day: utcDay(m.body.viewedAt), id: m.id, orgId: item.orgId, itemId: item.id };
      const key = `${row.itemId} ${row.day}`;
      const bucket = buckets.get(key);
      if (bucket) bucket.push(row);
      else buckets.set(key, [row]);
    }
    const [first, ...rest] = [...buckets.values()].flatMap((rows) => bucketStatements(db, rows));
    if (first) await db.batch([first, ...rest]);
  } catch (err) {
    return failAll(PAGE_VIEWS_QUEUE, batch.messages, err);
  }
  batch.ackAll();
}

type PageViewRow = typeof pageViews.$inferInsert;

/** One bucket's new raw rows, then its count raised by as many as were new. */
function bucketStatements(db: Db, [first, ...more]: [PageViewRow, ...PageViewRow[]]) {
  const { orgId, itemId, day } = first;
  return [
    insertRowsIgnoringConflicts(db, pageViews, [first, ...more]),
    db
      .insert(analyticsDaily)
      .values({ orgId, itemId, day, pageViews: sql`changes()`, updatedAt: Date.now() })
      .onConflictDoUpdate({
        target: [analyticsDaily.orgId, analyticsDaily.itemId, analyticsDaily.day],
        set: { pageViews: sql`${analyticsDaily.pageViews} + excluded.page_views`, updatedAt: sql`excluded.updated_at` },
      }),
  ];
}

/**
 * The backfill's page views: every day that still has raw rows (the purge keeps whole days, so
 * each such day has all of its views) is recounted from them, zero where an item had none; days
 * before the oldest raw row keep their counts, which nothing could rebuild.
 */
export function pageViewsRebuildStatements(db: Db, now: number): Statement[] {
  // INSERT … SELECT fills every column in the table's order: a new bucket's other columns start at 0.
  const selected = Object.values(getTableColumns(analyticsDaily)).map((column) => {
    if (["org_id", "item_id", "day"].includes(column.name)) return sql.identifier(column.name);
    if (column.name === "page_views") return sql`count(*)`;
    if (column.name === "currency") return sql`''`;
    if (column.name === "updated_at") return sql`${now}`;
    return sql`0`;
  });
  return [
    db
      .update(analyticsDaily)
      .set({ pageViews: 0 })
      .where(gte(analyticsDaily.day, sql`(SELECT min(${pageViews.day}) FROM ${pageViews})`)),
    db
      .insert(analyticsDaily)
      // `WHERE true`: without it SQLite would read ON CONFLICT as part of the SELECT.
      .select(sql`SELECT ${sql.join(selected, sql`, `)} FROM ${pageViews} WHERE true GROUP BY 1, 2, 3`)
      .onConflictDoUpdate({
        target: [analyticsDaily.orgId, analyticsDaily.itemId, analyticsDaily.day],
        set: { pageViews: sql`excluded.page_views`, updatedAt: sql`excluded.updated_at` },
      }),
  ];
}

/**
 * Raw rows older than 35 days go, whole days at a time: a day that still has raw rows has all of
 * them, so a backfill may recount it.
 */
export const purgePageViews: Job = async ({ db, now, batchSize }) => {
  const firstKeptDay = utcDay(now - PAGE_VIEW_RETENTION_DAYS * 86_400_000);
  // By rowid: the key's first column is the day, so the oldest rows are found without a scan.
  const doomed = db.select({ rowid: sql`rowid` }).from(pageViews).where(lt(pageViews.day, firstKeptDay)).limit(batchSize);
  const deleted = await db.delete(pageViews).where(inArray(sql`rowid`, doomed)).returning({ id: pageViews.id });
  return deleted.length;
};
