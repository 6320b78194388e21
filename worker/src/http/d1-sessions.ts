/**
 * Which D1 session each request starts (read replicas through the Sessions API). The one table of
 * the rules is below: the first rule whose method and path match decides. `requestContext()` starts
 * the session before anything reads D1, and background work (queues, cron) always starts at the primary.
 */

import { generateCookie } from "hono/cookie";
import { z } from "zod";

/**
 * - `unconstrained`: public reads that may be a little stale; the nearest replica, or the request's
 *   bookmark when it brings one (never older than what the caller saw).
 * - `own-writes`: signed-in reads; from the caller's bookmark (header or cookie), so a person reads
 *   their own writes, else the nearest replica.
 * - `primary`: writes, and reads where a stale answer would be wrong; always the primary.
 */
export const D1_SESSION_MODES = ["unconstrained", "own-writes", "primary"] as const;
export type D1SessionMode = (typeof D1_SESSION_MODES)[number];

/** Methods that only read (HEAD is GET without a body; OPTIONS answers preflights and tus discovery). */
export const READ_METHODS = ["GET", "HEAD", "OPTIONS"] as const;

export interface D1SessionRule {
  /** `reads` (GET, HEAD, OPTIONS) or `writes` (every other method). */
  methods: "reads" | "writes";
  /** A Hono path: `:name` is one segment, `:name{.+}` and a trailing `*` any rest. */
  path: string;
  mode: D1SessionMode;
  reason: string;
}

const reads = (path: string, mode: D1SessionMode, reason: string): D1SessionRule => ({ methods: "reads", path, mode, reason });

const WRITES: D1SessionRule = {
  methods: "writes",
  path: "/*",
  mode: "primary",
  reason: "every write starts at the primary; its bookmark then covers the write",
};

/** The table. First match wins; every request matches the last rule of its kind at least. */
export const D1_SESSION_RULES: readonly D1SessionRule[] = [
  WRITES,
  // Reads where stale would be wrong.
  reads("/download/:token", "primary", "a download spends one of the link's uses, counted on the primary"),
  reads(
    "/v1/checkouts/:checkoutId",
    "primary",
    "polled after paying until the webhook's fulfilment shows; its bookmark then covers the purchase",
  ),
  reads("/v1/rooms/:roomId/snapshots/latest", "primary", "a room that loaded a stale snapshot would save over newer edits"),
  reads("/v1/tus/:uploadId", "primary", "a resuming upload must see the offset its last PATCH stored"),
  reads("/v1/orgs/:orgId/connect", "primary", "writes Stripe's account flags over the row it just read"),
  reads("/readyz", "primary", "asks the primary whether the newest migration is applied"),
  reads("/dev/*", "primary", "the dev mailbox: tests poll it for mail a queue consumer just wrote"),
  reads("/__bench/*", "primary", "benchmarks measure D1 itself (mounted before requestContext, on env.DB)"),
  // Public reads: the storefront, the catalog and the docs.
  reads("/", "unconstrained", "the storefront's home page (edge-cached)"),
  reads("/search", "unconstrained", "the storefront's search page (edge-cached)"),
  reads("/items/*", "unconstrained", "storefront item pages (edge-cached)"),
  reads("/authors/*", "unconstrained", "storefront author pages (edge-cached)"),
  reads("/legal/*", "unconstrained", "legal pages"),
  reads("/support", "unconstrained", "the support page"),
  reads("/checkout/*", "unconstrained", "checkout pages; what they show of the order comes from /v1/checkouts/:checkoutId"),
  reads("/media/:key{.+}", "unconstrained", "public images"),
  reads("/v1/search", "unconstrained", "the public catalog search"),
  reads("/v1/items/:slug", "unconstrained", "a public item"),
  reads("/v1/items/:slug/versions", "unconstrained", "a public item's versions"),
  reads("/v1/items/:slug/reviews", "unconstrained", "a public item's reviews"),
  reads("/v1/platform-fee", "unconstrained", "the public fee schedule"),
  reads("/openapi.json", "unconstrained", "the API description"),
  reads("/docs", "unconstrained", "the API reference page"),
  reads("/healthz", "unconstrained", "liveness: no D1"),
  // Everything else under /v1 is a signed-in read: dashboards, /v1/me, items, purchases, members, projects.
  reads("/v1/*", "own-writes", "signed-in reads: from the caller's bookmark, so they see their own writes"),
  reads("/*", "unconstrained", "the web app's shell and assets"),
];

/** A rule's path as a regular expression over the request path. */
function pathPattern(path: string): RegExp {
  const source = path
    .split("/")
    .map((segment) => {
      if (segment === "*") return "(?:/.*)?";
      if (segment.startsWith(":")) return segment.endsWith("{.+}") ? "/.+" : "/[^/]+";
      return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
    })
    .slice(1)
    .join("");
  return new RegExp(`^${source === "/" ? "/" : source}$`);
}

const compiled = D1_SESSION_RULES.map((rule) => ({ rule, pattern: pathPattern(rule.path) }));

const isRead = (method: string) => (READ_METHODS as readonly string[]).includes(method.toUpperCase());

/** The rule that decides a request's session. */
export function d1SessionRule(method: string, path: string): D1SessionRule {
  const kind = isRead(method) ? "reads" : "writes";
  const found = compiled.find(({ rule, pattern }) => rule.methods === kind && pattern.test(path));
  // Unreachable: both kinds end in "/*"; a request that somehow fell through is safest at the primary.
  return found?.rule ?? WRITES;
}

/** The session mode of a request (also read by placement: `unconstrained` routes stay at the edge). */
export const d1SessionMode = (method: string, path: string): D1SessionMode => d1SessionRule(method, path).mode;

/** Where a client gets its bookmark back and sends it again: API clients by header, the web app by cookie. */
export const D1_BOOKMARK_HEADER = "x-plaza-d1-bookmark";
export const D1_BOOKMARK_COOKIE = "plaza_d1_bookmark";
/** A day: an older bookmark only asks for what every replica has long had. */
export const D1_BOOKMARK_MAX_AGE_SECONDS = 86_400;

/**
 * A D1 bookmark: fixed-width hex fields joined by "-" (`00000085-0000024c-00004c6d-8e61…`), so of
 * two bookmarks the later one sorts last. Anything else is ignored, never an error: a stale or
 * mangled cookie must not lock anyone out, and the bookmark only ever makes a read fresher.
 */
export const D1Bookmark = z
  .string()
  .max(128)
  .regex(/^[0-9a-f]{8}(?:-[0-9a-f]{8}){2}-[0-9a-f]{32,64}$/);

const validBookmark = (value: string | undefined) => (value === undefined ? undefined : D1Bookmark.safeParse(value).data);

/** The later of the header's and the cookie's bookmarks (each ignored when malformed). */
export function incomingBookmark(header: string | undefined, cookie: string | undefined): string | undefined {
  const found = [validBookmark(header), validBookmark(cookie)].filter((b): b is string => b !== undefined).sort();
  return found.at(-1);
}

/** What `withSession` starts from: the primary, or the caller's bookmark, else the nearest replica. */
export function sessionStart(mode: D1SessionMode, bookmark: string | undefined): D1SessionConstraint | D1SessionBookmark {
  if (mode === "primary") return "first-primary";
  return bookmark ?? "first-unconstrained";
}

/** The web app's cookie: Secure except on a plain-http localhost APP_URL (`npm start`). */
export function bookmarkCookie(bookmark: string, appUrl: string): string {
  const local = /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(appUrl);
  return generateCookie(D1_BOOKMARK_COOKIE, bookmark, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: !local,
    maxAge: D1_BOOKMARK_MAX_AGE_SECONDS,
  });
}
