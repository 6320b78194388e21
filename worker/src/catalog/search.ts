import { maxSatisfying } from "semver";
import { z } from "zod";
import type { ItemT, SearchQueryT } from "../../../shared/catalog";
import type { Ctx } from "../context";
import type { Db } from "../db/client";
import { AppError } from "../http/errors";
import { type MediaInfo, mediaByKeys } from "../media";
import { orgsByIds } from "../orgs";
import { type ItemRow, RATING_PRIOR, toItem } from "./queries";

/**
 * Catalog search over published items, written against D1 directly (not drizzle) for FTS5's MATCH
 * and rank and the statements' `rows_read`. Three plans, each reading about as many rows as it
 * returns:
 * - text + relevance: FTS5 filters (via the `facets` column) and orders by bm25 itself; each block
 *   of BLOCK text matches is then re-ranked by rating and downloads (a rescore window, as search
 *   engines do), so the cost does not grow with the number of matches;
 * - no text: walks an index on the sort key (downloads, Bayesian rating, newest);
 * - text + another sort: few matches are sorted outright, many are found by walking that index
 *   (see keyedSearch).
 */

export const BLOCK = 50;

/** Must match the expression of `items_status_rating_idx` (migrations/0003) exactly. */
const BAYESIAN_RATING = `((${RATING_PRIOR.count} * ${RATING_PRIOR.mean} + rating_sum) * 1.0 / (${RATING_PRIOR.count} + review_count))`;

const BROWSE_KEYS = { rating: BAYESIAN_RATING, downloads: "downloads", newest: "published_at" } as const;
type BrowseSort = keyof typeof BROWSE_KEYS;

/** Text match scaled up to 1.5× by the Bayesian rating and up to 1.5× by downloads (saturating). */
export function relevance(textScore: number, row: { rating_sum: number; review_count: number; downloads: number }) {
  const rating = (RATING_PRIOR.count * RATING_PRIOR.mean + row.rating_sum) / (RATING_PRIOR.count + row.review_count);
  return textScore * (1 + (0.5 * rating) / 5) * (1 + (0.5 * row.downloads) / (row.downloads + 1000));
}

/**
 * Free text → an FTS5 query that cannot be a syntax error: each word quoted, all required, the
 * last one a prefix (search as you type). Returns null when nothing searchable is left.
 */
export function toFtsQuery(q: string): string | null {
  const words = q
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu)
    ?.slice(0, 8);
  if (!words?.length) return null;
  return words.map((w, i) => (i === words.length - 1 ? `"${w}"*` : `"${w}"`)).join(" ");
}

/** The same tokens the triggers write into `facets` (migrations/0003). */
const facet = (kind: "st" | "cat" | "price" | "tag", value: string) => `facets:"z${kind}${value.replace(/-/g, "")}"`;

function facetFilter(query: SearchQueryT) {
  return [
    facet("st", "published"),
    query.category && facet("cat", query.category),
    query.price && facet("price", query.price),
    query.tag && facet("tag", query.tag),
  ]
    .filter(Boolean)
    .join(" AND ");
}

// ---- cursors ----

/**
 * What a search cursor may say. A client can send any base64 JSON, and these numbers are bound
 * into SQL (OFFSET block × BLOCK, comparisons with key and seq): each stays a finite safe integer
 * (or, for the rating key, a finite number) so nothing past SQLite's 64-bit integers reaches it.
 */
const SearchCursor = z.discriminatedUnion("plan", [
  z.object({
    plan: z.literal("relevance"),
    block: z
      .number()
      .int()
      .min(0)
      .max(Math.floor(Number.MAX_SAFE_INTEGER / BLOCK)),
    index: z
      .number()
      .int()
      .min(0)
      .max(BLOCK - 1),
  }),
  z.object({
    plan: z.literal("keyed"),
    sort: z.enum(Object.keys(BROWSE_KEYS) as [BrowseSort, ...BrowseSort[]]),
    key: z.number().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
    seq: z.number().int().min(0),
  }),
]);
type Cursor = z.infer<typeof SearchCursor>;

function encodeCursor(cursor: Cursor) {
  return btoa(JSON.stringify(cursor)).replace(/=+$/, "");
}

function decodeCursor(raw: string, expected: Cursor["plan"], sort?: BrowseSort): Cursor {
  let parsed: ReturnType<typeof SearchCursor.safeParse> | undefined;
  try {
    parsed = SearchCursor.safeParse(JSON.parse(atob(raw)));
  } catch {
    // Not base64 or not JSON: the same answer as any other cursor this search did not make.
  }
  const c = parsed?.success ? parsed.data : undefined;
  if (!c || c.plan !== expected || (c.plan === "keyed" && c.sort !== sort)) {
    throw new AppError("invalid_request", "The cursor is not valid for this search", {
      fields: { "query.cursor": ["is not valid for this search"] },
    });
  }
  return c;
}

// ---- rows ----

interface Row extends Record<string, unknown> {
  seq: number;
  org_slug: string;
  org_name: string;
  tag_ok: number;
  rating_sum: number;
  review_count: number;
  downloads: number;
  latest_engine_range: string | null;
}

function rowToItem(r: Row, media: ReadonlyMap<string, MediaInfo>): ItemT {
  const item = {
    seq: r.seq,
    id: r.id,
    orgId: r.org_id,
    slug: r.slug,
    name: r.name,
    summary: r.summary,
    description: r.description,
    category: r.category,
    tags: r.tags,
    pricing: JSON.parse(r.pricing as string),
    isFree: Boolean(r.is_free),
    status: r.status,
    moderationReason: r.moderation_reason,
    iconKey: r.icon_key,
    screenshotKeys: JSON.parse(r.screenshot_keys as string) as string[],
    reviewCount: r.review_count,
    ratingSum: r.rating_sum,
    downloads: r.downloads,
    latestVersion: r.latest_version,
    latestEngineRange: r.latest_engine_range,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    publishedAt: r.published_at,
  } as ItemRow;
  const iconMedia = (item.iconKey && media.get(item.iconKey)) || null;
  const screenshotMedia = item.screenshotKeys.flatMap((k) => media.get(k) ?? []);
  return toItem({ ...item, iconMedia, screenshotMedia }, { slug: r.org_slug, name: r.org_name });
}

/**
 * The checks SQL (or the FTS facets) cannot make exactly: tags (facet tokens are stemmed, so
 * `theme` and `themes` share one) and engine compatibility (a semver range).
 */
function passesExactFilters(row: Row, query: SearchQueryT) {
  if (query.tag && !row.tag_ok) return false;
  if (query.engine && (!row.latest_engine_range || maxSatisfying([query.engine], row.latest_engine_range) === null)) return false;
  return true;
}

const ITEM_COLUMNS = (tagParam: boolean) =>
  `i.*, ${tagParam ? "EXISTS (SELECT 1 FROM item_tags t WHERE t.item_id = i.id AND t.tag = ?)" : "1"} AS tag_ok`;

/**
 * The page's orgs and its images' media rows in one lookup each (a page names few), rather than
 * subqueries on every candidate the search reads and filters out.
 */
async function withOrgs(db: Db, rows: Row[]) {
  const imageKeys = rows.flatMap((r) => [
    ...(r.icon_key ? [String(r.icon_key)] : []),
    ...(JSON.parse(r.screenshot_keys as string) as string[]),
  ]);
  const [orgs, media] = await Promise.all([
    orgsByIds(
      db,
      rows.map((r) => String(r.org_id)),
    ),
    mediaByKeys(db, imageKeys),
  ]);
  return rows.map((r) => {
    const org = orgs.get(String(r.org_id))!;
    return rowToItem({ ...r, org_slug: org.slug, org_name: org.name }, media);
  });
}

export interface SearchResult {
  data: ItemT[];
  nextCursor: string | null;
  /** D1 rows read by the search's own statements (the page's orgs are one more lookup of a few rows). */
  rowsRead: number;
}

export async function searchItems({ env, db }: Pick<Ctx, "env" | "db">, query: SearchQueryT): Promise<SearchResult> {
  const d1 = env.DB;
  const text = query.q ? toFtsQuery(query.q) : null;
  const sort = query.sort ?? (text ? "relevance" : "downloads");
  if (sort === "relevance") {
    if (!text)
      throw new AppError("invalid_request", "Sorting by relevance needs a search text", {
        fields: { "query.sort": ["relevance needs q"] },
      });
    return relevanceSearch(d1, db, query, text);
  }
  return keyedSearch(d1, db, { query, sort, text });
}

/** Relevance: FTS5 ranks and filters; each block of matches is re-ranked by popularity. */
async function relevanceSearch(d1: D1Database, db: Db, query: SearchQueryT, text: string): Promise<SearchResult> {
  const match = `(${text}) AND ${facetFilter(query)}`;
  // A direct join (no CTE or subquery) lets FTS5 stop after the block: one row read per match.
  const sql = `SELECT ${ITEM_COLUMNS(Boolean(query.tag))}, items_fts.rank AS text_rank
    FROM items_fts CROSS JOIN items i ON i.seq = items_fts.rowid
    WHERE items_fts MATCH ? ORDER BY items_fts.rank LIMIT ? OFFSET ?`;

  let { block, index } = query.cursor
    ? (decodeCursor(query.cursor, "relevance") as { block: number; index: number })
    : { block: 0, index: 0 };
  const found: { row: Row; block: number; index: number }[] = [];
  let rowsRead = 0;
  for (;;) {
    const params = query.tag ? [query.tag, match, BLOCK, block * BLOCK] : [match, BLOCK, block * BLOCK];
    const result = await d1
      .prepare(sql)
      .bind(...params)
      .all<Row & { text_rank: number }>();
    rowsRead += result.meta.rows_read ?? 0;
    const ranked = result.results
      .map((row) => ({ row, score: relevance(-row.text_rank, row) }))
      .sort((a, b) => b.score - a.score || b.row.seq - a.row.seq);
    for (let i = index; i < ranked.length && found.length <= query.limit; i++) {
      if (passesExactFilters(ranked[i]!.row, query)) found.push({ row: ranked[i]!.row, block, index: i });
    }
    if (found.length > query.limit || result.results.length < BLOCK) break;
    block += 1;
    index = 0;
  }
  const next = found[query.limit];
  return {
    data: await withOrgs(
      db,
      found.slice(0, query.limit).map((f) => f.row),
    ),
    nextCursor: next ? encodeCursor({ plan: "relevance", block: next.block, index: next.index }) : null,
    rowsRead,
  };
}

/** Text searches sorted by another key first count matches up to this many. */
export const PROBE = 100;

/**
 * Sorted by downloads, rating or newest. Without text: a walk down the index on the key. With
 * text, by how much matches (a probe of up to PROBE matches tells): few matches are sorted
 * outright; many are found by walking the same index and checking each item against FTS by
 * rowid, which fills a page quickly precisely because so much matches.
 */
async function keyedSearch(
  d1: D1Database,
  db: Db,
  { query, sort, text }: { query: SearchQueryT; sort: BrowseSort; text: string | null },
): Promise<SearchResult> {
  const key = BROWSE_KEYS[sort].replace(/(rating_sum|review_count|downloads|published_at)/g, "i.$1");
  const where = ["i.status = 'published'"];
  const params: unknown[] = query.tag ? [query.tag] : [];
  if (query.category) {
    where.push("i.category = ?");
    params.push(query.category);
  }
  if (query.price) where.push(`i.is_free = ${query.price === "free" ? 1 : 0}`);
  if (query.tag) {
    where.push("EXISTS (SELECT 1 FROM item_tags t WHERE t.tag = ? AND t.item_id = i.id)");
    params.push(query.tag);
  }
  let rowsRead = 0;
  if (text) {
    const match = `(${text}) AND ${facetFilter(query)}`;
    const probe = await d1
      .prepare("SELECT rowid FROM items_fts WHERE items_fts MATCH ? LIMIT ?")
      .bind(match, PROBE)
      .all<{ rowid: number }>();
    rowsRead += probe.meta.rows_read ?? 0;
    if (probe.results.length === 0) return { data: [], nextCursor: null, rowsRead };
    if (probe.results.length < PROBE) {
      // Integers straight from the index: safe to inline, and they would not fit D1's 100 parameters.
      where.push(`i.seq IN (${probe.results.map((r) => Number(r.rowid)).join(", ")})`);
    } else {
      where.push("EXISTS (SELECT 1 FROM items_fts WHERE items_fts MATCH ? AND rowid = i.seq)");
      params.push(match);
    }
  }
  const from = "items i";
  const cursor = query.cursor ? (decodeCursor(query.cursor, "keyed", sort) as { key: number; seq: number }) : undefined;
  const found: (Row & { sort_key: number })[] = [];
  let position = cursor;
  // Engine and tag checks happen here, so keep reading until the page (plus one) is full.
  const batch = query.limit + 1;
  for (;;) {
    const after = position ? [`(${key} < ? OR (${key} = ? AND i.seq < ?))`] : [];
    const sql = `SELECT ${ITEM_COLUMNS(Boolean(query.tag))}, ${key} AS sort_key FROM ${from}
      WHERE ${[...where, ...after].join(" AND ")} ORDER BY ${key} DESC, i.seq DESC LIMIT ?`;
    const bound = [...params, ...(position ? [position.key, position.key, position.seq] : []), batch];
    const result = await d1
      .prepare(sql)
      .bind(...bound)
      .all<Row & { sort_key: number }>();
    rowsRead += result.meta.rows_read ?? 0;
    for (const row of result.results) {
      position = { key: row.sort_key, seq: row.seq };
      if (passesExactFilters(row, query)) found.push(row);
      if (found.length > query.limit) break;
    }
    if (found.length > query.limit || result.results.length < batch) break;
  }
  const last = found[query.limit - 1];
  return {
    data: await withOrgs(db, found.slice(0, query.limit)),
    nextCursor: found.length > query.limit && last ? encodeCursor({ plan: "keyed", sort, key: last.sort_key, seq: last.seq }) : null,
    rowsRead,
  };
}
