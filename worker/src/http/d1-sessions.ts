/**
 * Which D1 session each request starts (read replicas through the Sessions API). The one table of
 * the rules is below: the first rule whose method and path match decides. `requestContext()` starts
 * the session before anything reads D1, and background work (queues, cron) always starts at the primary.
 */

import type { OpenAPIHono } from "@hono/zod-openapi";
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
  reads("/v1/checkouts/:checkoutId", "primary", "polled after paying until the order shows (and reveals the license key once: a write)"),
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
const BOOKMARK_PATTERN = /^[0-9a-f]{8}(?:-[0-9a-f]{8}){2}-[0-9a-f]{32,64}$/;
export const D1Bookmark = z.string().max(128).regex(BOOKMARK_PATTERN);

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

/** The bookmark header in /openapi.json: a parameter every operation takes, and a header every answer has. */
export function registerD1BookmarkDocs(registry: OpenAPIHono["openAPIRegistry"]) {
  const schema = { type: "string" as const, maxLength: 128, pattern: BOOKMARK_PATTERN.source };
  registry.registerComponent("parameters", "D1Bookmark", {
    name: D1_BOOKMARK_HEADER,
    in: "header",
    required: false,
    schema,
    description: [
      "Read your own writes across requests: send back the last `x-plaza-d1-bookmark` an answer gave you, and a read",
      "served by a database read replica is at least as fresh as that answer was. Without it, public and signed-in",
      "reads may come from a replica a moment behind. A malformed value is ignored. The web app gets the same",
      `bookmark in the \`${D1_BOOKMARK_COOKIE}\` cookie (HttpOnly, a day) and need not send the header.`,
    ].join(" "),
  });
  registry.registerComponent("headers", "D1Bookmark", {
    description: "The D1 session's bookmark after this request: send it back as the `x-plaza-d1-bookmark` request header.",
    schema,
  });
}

/** README's markers around the generated table (`npm run docs:d1-sessions` rewrites what is between them). */
export const D1_SESSIONS_DOC_START = "<!-- generated by npm run docs:d1-sessions: do not edit -->";
export const D1_SESSIONS_DOC_END = "<!-- end of generated d1 sessions table -->";

const METHODS_DOC = { reads: "GET, HEAD, OPTIONS", writes: "POST, PUT, PATCH, DELETE" } as const;

/** The table as README shows it, markers included. */
export function d1SessionsDoc(): string {
  const cell = (text: string) => text.replaceAll("|", "\\|");
  return [
    D1_SESSIONS_DOC_START,
    "",
    "The first row that matches a request's method and path decides (`worker/src/http/d1-sessions.ts`).",
    "",
    '- **primary**: `withSession("first-primary")`.',
    `- **own-writes**: from the caller's bookmark (\`${D1_BOOKMARK_HEADER}\` header or \`${D1_BOOKMARK_COOKIE}\` cookie, the later of the two), else \`first-unconstrained\`.`,
    "- **unconstrained**: `first-unconstrained`, or the request's bookmark when it brings one; never sets the cookie.",
    "",
    ...alignedTable(
      ["Methods", "Path", "Session", "Why"],
      D1_SESSION_RULES.map((rule) => [METHODS_DOC[rule.methods], `\`${rule.path}\``, rule.mode, cell(rule.reason)]),
    ),
    D1_SESSIONS_DOC_END,
  ].join("\n");
}

/** A Markdown table with its columns padded as `biome format` pads them (README is linted by Biome). */
function alignedTable(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}
