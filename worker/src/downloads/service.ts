/**
 * Signed download links: minting them for an item's owner, and serving a bundle to whoever holds
 * one, within its use limit and the buyer's daily limit, with ranges and conditional requests.
 *
 * A yanked version stays downloadable for buyers who already had it: those whose entitlement (the
 * one the link is for) was created before the yank, or who downloaded that version before. Anyone
 * else cannot mint a link for it (404, as if it did not exist: installs do not see it either), and
 * a link minted before the yank answers 410.
 */
import { and, desc, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import { compare } from "semver";
import {
  DEFAULT_DOWNLOAD_DAILY_LIMIT,
  DEFAULT_DOWNLOAD_MAX_USES,
  DEFAULT_DOWNLOAD_TTL_SECONDS,
  DOWNLOAD_WINDOW_MS,
  type DownloadLinkT,
  type LibraryEntryT,
  MAX_DOWNLOAD_TTL_SECONDS,
} from "../../../shared/downloads";
import {
  findItemBySlug,
  findItemWithVersion,
  findVersionWithItem,
  type ItemRow,
  itemsById,
  type VersionRow,
  versionRowsOf,
} from "../catalog";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { type EntitlementRow, entitlementsOf, findEntitlement, isEffectiveAt } from "../entitlements";
import type { Env } from "../env";
import { AppError } from "../http/errors";
import { type Bundle, type ByteRange, bundleHeaders, notModified, resolveRange } from "./stream";
import { downloads, downloadTokens } from "./tables";
import { nextDownloadSeq } from "./tally";
import { signDownloadToken, verifyDownloadToken } from "./token";

const positiveInt = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
};
export const maxUsesOf = (env: Env) => positiveInt(env.DOWNLOAD_MAX_USES, DEFAULT_DOWNLOAD_MAX_USES);
export const dailyLimitOf = (env: Env) => positiveInt(env.DOWNLOAD_DAILY_LIMIT, DEFAULT_DOWNLOAD_DAILY_LIMIT);

/** Whether the user may still download a version: not yanked, or they had it before the yank. */
async function mayHaveVersion(db: Db, version: VersionRow, entitlement: Pick<EntitlementRow, "createdAt" | "userId">) {
  if (version.yankedAt === null || entitlement.createdAt < version.yankedAt) return true;
  const earlier = await db
    .select({ id: downloads.id })
    .from(downloads)
    .where(and(eq(downloads.userId, entitlement.userId), eq(downloads.versionId, version.id)))
    .limit(1);
  return earlier.length > 0;
}

const filenameOf = (item: Pick<ItemRow, "slug">, version: Pick<VersionRow, "version">) => `${item.slug}-${version.version}.tar.gz`;
const bundleOf = (version: VersionRow): Bundle => ({
  sha256: version.bundleSha256,
  size: version.bundleSize,
  publishedAt: version.createdAt,
});

export interface MintInput {
  entitlementId: string;
  versionId: string;
  /** Default 900 (15 minutes), at most 604800 (7 days). */
  ttlSeconds?: number;
  /** Default DOWNLOAD_MAX_USES (5). */
  maxUses?: number;
  now?: number;
}

export interface MintedLink extends DownloadLinkT {
  token: string;
  tokenId: string;
}

/**
 * Mints a link to a version for an entitlement's holder: for `POST /v1/me/downloads`, and for the
 * fulfillment e-mail and the customer portal. The entitlement must be effective, the version the
 * entitlement's item's and, if yanked, one its holder had. Writes one `download_tokens` row.
 */
export async function mintDownloadLink({ env, db }: Pick<Ctx, "env" | "db">, input: MintInput): Promise<MintedLink> {
  const now = input.now ?? Date.now();
  const ttlSeconds = input.ttlSeconds ?? DEFAULT_DOWNLOAD_TTL_SECONDS;
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_DOWNLOAD_TTL_SECONDS) {
    throw new AppError("invalid_request", `ttlSeconds must be between 1 and ${MAX_DOWNLOAD_TTL_SECONDS}`, {
      fields: { "body.ttlSeconds": [`must be between 1 and ${MAX_DOWNLOAD_TTL_SECONDS}`] },
    });
  }
  const maxUses = input.maxUses ?? maxUsesOf(env);
  const entitlement = await findEntitlement(db, input.entitlementId);
  const found = entitlement && (await findItemWithVersion(db, entitlement.itemId, input.versionId));
  if (!entitlement || !found || !isEffectiveAt(entitlement, now)) throw new AppError("forbidden", "This entitlement is not active");
  if (found.item.status === "removed") throw new AppError("forbidden", "This item was removed; it can no longer be downloaded");
  const { item, version } = found;
  if (!version || !(await mayHaveVersion(db, version, entitlement))) throw new AppError("not_found", "Version not found");

  const tokenId = newId("downloadToken");
  const expiresAt = now + ttlSeconds * 1000;
  const { token, keyId } = await signDownloadToken(env.DOWNLOAD_TOKEN_KEYS, {
    tokenId,
    entitlementId: entitlement.id,
    versionId: version.id,
    expiresAt,
  });
  await db.insert(downloadTokens).values({
    id: tokenId,
    keyId,
    orgId: item.orgId,
    itemId: item.id,
    versionId: version.id,
    entitlementId: entitlement.id,
    userId: entitlement.userId,
    uses: 0,
    maxUses,
    expiresAt,
    createdAt: now,
  });
  return { url: `${env.APP_URL.replace(/\/+$/, "")}/download/${token}`, token, tokenId, expiresAt, version: version.version, maxUses };
}

/**
 * `POST /v1/me/downloads`: a link for the signed-in user's own item. 404 for an item they cannot
 * see (unknown, or a draft or removed item they do not own), 403 for a visible item they do not
 * own. Of several effective entitlements, the one that lasts longest is used.
 */
export async function mintForOwner(
  ctx: Ctx,
  { userId, input }: { userId: string; input: { item: string; version?: string; ttlSeconds: number } },
) {
  const { db } = ctx;
  const now = Date.now();
  const item = await findItemBySlug(db, input.item);
  const held = item ? (await entitlementsOf(db, userId, item.id)).filter((e) => isEffectiveAt(e, now)) : [];
  if (!item || (held.length === 0 && (item.status === "draft" || item.status === "removed")))
    throw new AppError("not_found", "Item not found");
  if (held.length === 0) throw new AppError("forbidden", "You do not own this item; get or buy it first");
  if (item.status === "removed") throw new AppError("forbidden", "This item was removed; it can no longer be downloaded");
  // Longest-lasting first: no expiry, then the latest expiry.
  held.sort((a, b) => (b.expiresAt ?? Infinity) - (a.expiresAt ?? Infinity));

  const rows = await versionRowsOf(db, [item.id]);
  const version = input.version
    ? rows.find((v) => v.version === input.version)
    : rows.filter((v) => v.channel === "stable" && v.yankedAt === null).sort((a, b) => compare(b.version, a.version))[0];
  if (!version)
    throw new AppError("not_found", input.version ? "Version not found" : "This item has no stable version yet; name a version");
  let entitlement = held[0]!;
  if (version.yankedAt !== null) {
    const had = [];
    for (const e of held) if (await mayHaveVersion(db, version, e)) had.push(e);
    if (had.length === 0) throw new AppError("not_found", "Version not found");
    entitlement = had[0]!;
  }
  const link = await mintDownloadLink(ctx, { entitlementId: entitlement.id, versionId: version.id, ttlSeconds: input.ttlSeconds, now });
  return { url: link.url, expiresAt: link.expiresAt, version: link.version, maxUses: link.maxUses } satisfies DownloadLinkT;
}

/**
 * The buyer's library for the customer portal: every item they hold an effective entitlement to
 * (the longest-lasting one when several), with every version they may download, newest first.
 */
export async function listLibrary(ctx: Ctx, { userId, now = Date.now() }: { userId: string; now?: number }): Promise<LibraryEntryT[]> {
  const { db } = ctx;
  const effective = (await entitlementsOf(db, userId)).filter((e) => isEffectiveAt(e, now));
  const items = await itemsById(
    db,
    effective.map((e) => e.itemId),
  );
  const held: { entitlement: EntitlementRow; item: ItemRow }[] = [];
  for (const entitlement of effective) {
    const item = items.get(entitlement.itemId);
    if (item && item.status !== "removed") held.push({ entitlement, item });
  }
  const byItem = new Map<string, (typeof held)[number]>();
  for (const r of held) {
    const known = byItem.get(r.item.id);
    if (!known || (r.entitlement.expiresAt ?? Infinity) > (known.entitlement.expiresAt ?? Infinity)) byItem.set(r.item.id, r);
  }
  if (byItem.size === 0) return [];
  const itemIds = [...byItem.keys()];
  const [rows, had] = await Promise.all([
    versionRowsOf(db, itemIds),
    db
      .selectDistinct({ versionId: downloads.versionId })
      .from(downloads)
      .where(and(eq(downloads.userId, userId), inArray(downloads.itemId, itemIds))),
  ]);
  const downloaded = new Set(had.map((d) => d.versionId));
  return [...byItem.values()]
    .sort((a, b) => a.item.name.localeCompare(b.item.name))
    .map(({ entitlement, item }) => ({
      item: { id: item.id, slug: item.slug, name: item.name },
      source: entitlement.source,
      expiresAt: entitlement.expiresAt,
      versions: rows
        // The rule of mayHaveVersion, for all versions at once.
        .filter((v) => v.itemId === item.id && (v.yankedAt === null || entitlement.createdAt < v.yankedAt || downloaded.has(v.id)))
        .sort((a, b) => compare(b.version, a.version))
        .map((v) => ({ version: v.version, channel: v.channel, size: v.bundleSize, createdAt: v.createdAt, yanked: v.yankedAt !== null })),
    }));
}

type DownloadTokenRow = typeof downloadTokens.$inferSelect;

/** What `serveDownload` needs of the request. */
export interface DownloadRequest {
  method: string;
  headers: Headers;
}

/** How a download is answered (200, 206 or 304, with the bundle's headers); the route makes the Response. */
export interface DownloadAnswer {
  status: 200 | 206 | 304;
  headers: Headers;
  body: ReadableStream | null;
}

/** Every link that fails to parse or verify, or whose row is gone, gets exactly this answer. */
const invalidLink = () => new AppError("forbidden", "This download link is not valid");

const retryAfter = (message: string, seconds: number) =>
  new AppError("rate_limited", message, { headers: { "retry-after": String(Math.max(1, Math.ceil(seconds))) } });

/**
 * Seconds until the buyer's rolling 24-hour window has room again (0 when it has room now): the
 * moment the `limit`-th newest download in the window leaves it.
 */
async function dailyWait(db: Db, { userId, itemId, limit, now }: { userId: string; itemId: string; limit: number; now: number }) {
  const [row] = await db
    .select({ createdAt: downloads.createdAt })
    .from(downloads)
    .where(and(eq(downloads.userId, userId), eq(downloads.itemId, itemId), gt(downloads.createdAt, now - DOWNLOAD_WINDOW_MS)))
    .orderBy(desc(downloads.createdAt))
    .limit(1)
    .offset(limit - 1);
  return row ? (row.createdAt + DOWNLOAD_WINDOW_MS - now) / 1000 : 0;
}

/**
 * Spends one use of the link and records the download, in one batch (one transaction): the log
 * row is inserted only if the link has a use left and the buyer is under the daily limit, and the
 * link's counter moves only if that row now exists. Concurrent requests therefore never spend more
 * than `max_uses`, nor exceed the daily limit. The item's total and daily rollups are not written
 * here (a popular item's row would take every download's write): the tally job adds the row later.
 */
async function recordDownload(
  { db }: Pick<Ctx, "db">,
  {
    link: t,
    range,
    counted,
    dailyLimit,
    now,
  }: { link: DownloadTokenRow; range: ByteRange; counted: boolean; dailyLimit: number; now: number },
) {
  const id = newId("download");
  const inWindow = sql`(SELECT count(*) FROM ${downloads} d WHERE d.user_id = ${t.userId} AND d.item_id = ${t.itemId} AND d.created_at > ${now - DOWNLOAD_WINDOW_MS})`;
  const recorded = sql`EXISTS (SELECT 1 FROM ${downloads} d WHERE d.id = ${id})`;
  const [inserted] = await db.batch([
    db
      .insert(downloads)
      .select((qb) =>
        qb
          .select({
            id: sql<string>`${id}`.as("id"),
            orgId: downloadTokens.orgId,
            itemId: downloadTokens.itemId,
            versionId: downloadTokens.versionId,
            userId: downloadTokens.userId,
            entitlementId: downloadTokens.entitlementId,
            tokenId: downloadTokens.id,
            rangeStart: sql<number>`${range.start}`.as("range_start"),
            bytes: sql<number>`${range.end - range.start + 1}`.as("bytes"),
            counted: sql<boolean>`${counted ? 1 : 0}`.as("counted"),
            createdAt: sql<number>`${now}`.as("created_at"),
            seq: nextDownloadSeq.as("seq"),
          })
          .from(downloadTokens)
          .where(
            and(
              eq(downloadTokens.id, t.id),
              lt(downloadTokens.uses, downloadTokens.maxUses),
              gt(downloadTokens.expiresAt, now),
              isNull(downloadTokens.revokedAt),
              sql`${inWindow} < ${dailyLimit}`,
            ),
          ),
      )
      .returning({ id: downloads.id }),
    db
      .update(downloadTokens)
      .set({ uses: sql`${downloadTokens.uses} + 1`, lastUsedAt: now })
      .where(and(eq(downloadTokens.id, t.id), recorded)),
  ]);
  return inserted.length === 1;
}

/** The 429 for a link or buyer over a limit, decided after the guarded insert refused. */
async function limitError(db: Db, link: DownloadTokenRow, dailyLimit: number, now: number) {
  const wait = await dailyWait(db, { userId: link.userId, itemId: link.itemId, limit: dailyLimit, now });
  const [t] = await db
    .select({
      uses: downloadTokens.uses,
      maxUses: downloadTokens.maxUses,
      expiresAt: downloadTokens.expiresAt,
      revokedAt: downloadTokens.revokedAt,
    })
    .from(downloadTokens)
    .where(eq(downloadTokens.id, link.id))
    .limit(1);
  if (!t || t.revokedAt !== null) return invalidLink();
  if (t.expiresAt <= now) return new AppError("gone", "This download link has expired; ask for a new one");
  if (t.uses >= t.maxUses) {
    // Waiting never revives a spent link; Retry-After says when a new link could be used.
    return retryAfter(`This download link was used ${t.maxUses} times, its limit; ask for a new one`, wait);
  }
  if (wait > 0) return retryAfter(`You downloaded this item ${dailyLimit} times in the last 24 hours, the limit; try again later`, wait);
  return undefined;
}

/**
 * `GET /download/:token` (and HEAD). Checks, in order: the signature (403, all failures alike),
 * expiry (410), the link's row (403), the entitlement (403 once revoked or lapsed), the item (403
 * once removed), the version (410 once yanked, unless the buyer had it), a spent link (429). Then
 * `If-None-Match` / `If-Modified-Since` (304), `Range` with `If-Range` (206, or 416). Only answers
 * that send bytes (200, 206) spend a use and count as a download; HEAD, 304 and 416 do not.
 */
export async function serveDownload(ctx: Ctx, { token, request }: { token: string; request: DownloadRequest }): Promise<DownloadAnswer> {
  const { env, db } = ctx;
  const claims = await verifyDownloadToken(env.DOWNLOAD_TOKEN_KEYS, token);
  if (!claims) throw invalidLink();
  const now = Date.now();
  if (claims.expiresAt <= now) throw new AppError("gone", "This download link has expired; ask for a new one");

  // The signed claims name the link's entitlement and version, so all three are read at once.
  const [[link], entitlement, release] = await Promise.all([
    db.select().from(downloadTokens).where(eq(downloadTokens.id, claims.tokenId)).limit(1),
    findEntitlement(db, claims.entitlementId),
    findVersionWithItem(db, claims.versionId),
  ]);
  if (
    !link ||
    !entitlement ||
    !release ||
    link.entitlementId !== claims.entitlementId ||
    link.versionId !== claims.versionId ||
    link.revokedAt !== null
  ) {
    throw invalidLink();
  }
  const { version, item } = release;
  if (link.expiresAt <= now) throw new AppError("gone", "This download link has expired; ask for a new one");
  if (!isEffectiveAt(entitlement, now)) throw new AppError("forbidden", "You no longer have access to this item");
  if (item.status === "removed") throw new AppError("forbidden", "This item was removed; it can no longer be downloaded");
  if (!(await mayHaveVersion(db, version, entitlement))) {
    throw new AppError("gone", `Version ${version.version} was withdrawn by its author; ask for a link to another version`);
  }
  const dailyLimit = dailyLimitOf(env);
  if (link.uses >= link.maxUses) throw (await limitError(db, link, dailyLimit, now))!;

  const bundle = bundleOf(version);
  const headers = bundleHeaders(bundle, filenameOf(item, version));
  if (notModified(request.headers, bundle)) return { status: 304, headers, body: null };
  const answer = resolveRange(request.headers, bundle);
  if (answer.kind === "unsatisfiable") {
    throw new AppError("range_not_satisfiable", `The bundle is ${bundle.size} bytes; the requested range starts past its end`, {
      headers: { "content-range": `bytes */${bundle.size}` },
    });
  }
  const range = answer.kind === "partial" ? answer.range : { start: 0, end: bundle.size - 1 };
  const status = answer.kind === "partial" ? 206 : 200;
  headers.set("content-length", String(range.end - range.start + 1));
  if (status === 206) headers.set("content-range", `bytes ${range.start}-${range.end}/${bundle.size}`);
  if (request.method === "HEAD") return { status, headers, body: null };

  // Open the object first, so a missing bundle spends no use; stop reading if a limit refuses.
  const object = await env.BUCKET.get(version.bundleKey, { range: { offset: range.start, length: range.end - range.start + 1 } });
  if (!object) {
    ctx.log("error", "bundle missing from R2", { versionId: version.id, key: version.bundleKey });
    throw new AppError("internal_error", "Something went wrong on our side");
  }
  const counted = range.start === 0;
  if (!(await recordDownload(ctx, { link, range, counted, dailyLimit, now }))) {
    await object.body.cancel();
    throw (await limitError(db, link, dailyLimit, now)) ?? invalidLink();
  }
  return { status, headers, body: object.body };
}
