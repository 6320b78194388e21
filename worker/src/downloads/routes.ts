import { createRoute, z } from "@hono/zod-openapi";
import {
  CreateDownloadBody,
  DEFAULT_DOWNLOAD_DAILY_LIMIT,
  DEFAULT_DOWNLOAD_MAX_USES,
  DownloadLink,
  LibraryEntry,
} from "../../../shared/downloads";
import { requirePrincipal } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, json, jsonBody, notFoundError } from "../http/openapi-helpers";
import * as service from "./service";

const tags = ["Downloads"];

/** `GET /v1/me/library` and `POST /v1/me/downloads`: part of the /v1 API (authenticated, in the authorization matrix). */
export const downloadRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/me/library",
      tags,
      summary: "What you can download: each item you own, with every version you may download",
      security: bearer,
      responses: { 200: json(z.object({ data: z.array(LibraryEntry) }), "Your items, by name"), ...authErrors },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "catalog:read");
      return c.json({ data: await service.listLibrary(c.var.ctx, { userId: p.userId }) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/me/downloads",
      tags,
      summary: "A signed download link for a version of an item you own",
      description: `Needs an active entitlement to the item (bought, subscribed, free or granted): \`403\` without one,
\`404\` for an item or version you cannot see. \`version\` defaults to the newest stable version that is not yanked;
a yanked version can be named only by buyers who had it (their entitlement predates the yank, or they downloaded
that version before). The link works without a login for \`ttlSeconds\` (default 900, at most 604800) and
\`maxUses\` requests that send bytes (default ${DEFAULT_DOWNLOAD_MAX_USES}).

**Using the link** (\`GET\` or \`HEAD\` \`url\`): the bundle streams with \`Content-Disposition: attachment\`
(\`<slug>-<version>.tar.gz\`), a strong \`ETag\` (its SHA-256) and \`Last-Modified\`. One \`Range\` is served as \`206\`
with \`Content-Range\` (\`416 range_not_satisfiable\` past the end), honouring \`If-Range\`; \`If-None-Match\` and
\`If-Modified-Since\` give \`304\`. Every \`200\` or \`206\` spends one use and counts toward the buyer's limit of
${DEFAULT_DOWNLOAD_DAILY_LIMIT} downloads of the item in any 24 hours; \`HEAD\`, \`304\` and \`416\` do not. Errors, in the usual
envelope: \`403 forbidden\` for a malformed, forged or unknown link (all alike), or once the entitlement was revoked or
lapsed; \`410 gone\` once the link expired, or if its version was yanked and the buyer did not have it;
\`429 rate_limited\` with \`Retry-After\` when the link is used up (ask for a new one) or the daily limit is reached.`,
      security: bearer,
      request: jsonBody(CreateDownloadBody),
      responses: { 201: json(DownloadLink, "The link"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "catalog:read");
      return c.json(await service.mintForOwner(c.var.ctx, { userId: p.userId, input: c.req.valid("json") }), 201);
    },
  );

/**
 * `GET /download/:token` (and HEAD): outside /v1 like `/media/*`, with no login (the link is the
 * credential), so it is neither authenticated, nor in the authorization matrix, nor in
 * /openapi.json (the spec lists the /v1 API; `POST /v1/me/downloads` describes the link).
 * wrangler.toml runs the Worker first for `/download/*`.
 */
export const downloadLinkRoutes = createRouter().get("/download/:token", async (c) => {
  const answer = await service.serveDownload(c.var.ctx, { token: c.req.param("token"), request: c.req.raw });
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
});
