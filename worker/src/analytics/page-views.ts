/**
 * Storefront item page views, counted by queue rather than sampled: every view a person makes is
 * one message, sent after the page is answered (a cache hit included), so the cached page pays no
 * D1 work and the count is exact. The consumer writes a raw row per message (its id is the
 * message's, so a redelivery adds nothing) and recomputes the touched days' `page_views` in the
 * same D1 batch. Raw rows are kept 35 days; the daily counts stay.
 */
import { getTableColumns, gte, inArray, lt, sql } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { itemOwnersBySlug } from "../catalog";
import type { Statement } from "../context";
import { createDb, type Db } from "../db/client";
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
 * revalidation): the message is sent in `waitUntil`, never awaited before the answer.
 */
export const countPageView = () =>
  createMiddleware<AppEnv>(async function countPageView(c, next) {
    await next();
    if (c.res.status !== 200 && c.res.status !== 304) return;
    if (!isCountedView(c.req.method, c.req.raw.headers)) return;
    const slug = c.req.param("slug");
    if (!slug) return;
    c.executionCtx.waitUntil(
      c.env.ANALYTICS_QUEUE.send({ slug }).catch((err) =>
        log("warn", "page view not queued", { requestId: c.get("requestId"), slug, error: String(err) }),
      ),
    );
  });

const PAGE_VIEWS_QUEUE: ConsumerPolicy<PageViewMessage> = {
  queue: "plaza-analytics",
  retry: { baseSeconds: 10, maxSeconds: 300, jitter: 0.2 },
  about: (body) => ({ slug: body.slug }),
};

/** 5 columns per row: 20 rows stay within D1's 100 bound parameters. */
const ROWS_PER_INSERT = 20;

/**
 * `plaza-analytics`: one D1 batch for the whole message batch (raw rows, then every touched
 * bucket's recount). A view of a slug no item has (deleted since) is dropped. If the batch fails,
 * every message is retried: the inserts skip rows already there and the recounts are recounts.
 */
export async function consumePageViews(batch: MessageBatch<PageViewMessage>, env: Env) {
  const db = createDb(env.DB);
  try {
    const owners = await itemOwnersBySlug(
      db,
      batch.messages.map((m) => m.body.slug),
    );
    const rows = batch.messages.flatMap((m) => {
      const item = owners.get(m.body.slug);
      const viewedAt = m.timestamp.getTime();
      return item ? [{ id: m.id, orgId: item.orgId, itemId: item.id, day: utcDay(viewedAt), viewedAt }] : [];
    });
    const [first, ...rest] = [...rowInserts(db, rows), ...recountStatements(db, rows)];
    if (first) await db.batch([first, ...rest]);
  } catch (err) {
    return failAll(PAGE_VIEWS_QUEUE, batch.messages, err);
  }
  batch.ackAll();
}

type PageViewRow = typeof pageViews.$inferInsert;

function rowInserts(db: Db, rows: PageViewRow[]) {
  const inserts = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    inserts.push(
      db
        .insert(pageViews)
        .values(rows.slice(i, i + ROWS_PER_INSERT))
        .onConflictDoNothing(),
    );
  }
  return inserts;
}

function recountStatements(db: Db, rows: PageViewRow[]) {
  const buckets = new Map(rows.map((r) => [`${r.itemId} ${r.day}`, { orgId: r.orgId, itemId: r.itemId, day: r.day }]));
  return [...buckets.values()].map((bucket) => pageViewsRecount(db, bucket));
}

/** Recomputes one bucket's `page_views` from its raw rows (the other families' columns are left alone). */
export function pageViewsRecount(db: Db, bucket: { orgId: string; itemId: string; day: string }) {
  const views = sql<number>`(SELECT count(*) FROM ${pageViews} WHERE ${pageViews.itemId} = ${bucket.itemId} AND ${pageViews.day} = ${bucket.day})`;
  return db
    .insert(analyticsDaily)
    .values({ ...bucket, pageViews: views, updatedAt: Date.now() })
    .onConflictDoUpdate({
      target: [analyticsDaily.orgId, analyticsDaily.itemId, analyticsDaily.day],
      set: { pageViews: sql`excluded.page_views`, updatedAt: sql`excluded.updated_at` },
    });
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
  const doomed = db.select({ id: pageViews.id }).from(pageViews).where(lt(pageViews.day, firstKeptDay)).limit(batchSize);
  const deleted = await db.delete(pageViews).where(inArray(pageViews.id, doomed)).returning({ id: pageViews.id });
  return deleted.length;
};
