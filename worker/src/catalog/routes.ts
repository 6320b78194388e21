import { createRoute, z } from "@hono/zod-openapi";
import { Cursor, OrgId } from "../../../shared/api";
import {
  CreateItemBody,
  CreateUploadBody,
  Item,
  ItemId,
  ItemSlug,
  ReorderScreenshotsBody,
  SearchQuery,
  UpdateCheckBody,
  UpdateCheckResult,
  UpdateItemBody,
  Upload,
  UploadId,
  Version,
} from "../../../shared/catalog";
import { SemverString } from "../../../shared/manifest";
import { requireOrgRole, requirePrincipal } from "../http/access";
import { edgeCached } from "../http/edge-cache";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, jsonBody, noContent, notFoundError } from "../http/openapi-helpers";
import * as catalog from "./items";
import { addScreenshot, type ImageUpload, removeScreenshot, reorderScreenshots, setIcon } from "./media";
import { getVisibleItem } from "./queries";
import { searchItems } from "./search";
import { checkUpdates } from "./updates";
import { completeUpload, createUpload, listInstallableVersions, listOrgItemVersions, setYanked } from "./versions";

const OrgParams = z.object({ orgId: OrgId });
const ItemParams = OrgParams.extend({ itemId: ItemId });
const SlugParams = z.object({ slug: ItemSlug });
const errors = { ...authErrors, ...notFoundError };
const binaryBody = (types: string[], description: string) => ({
  body: {
    content: Object.fromEntries(types.map((t) => [t, { schema: z.string().meta({ format: "binary" }) }])),
    required: true,
    description,
  },
});
const contentLength = (header: string | undefined) => (header && /^\d+$/.test(header) ? Number(header) : 0);
/** The image a request carries, as the media service takes it. */
const imageOf = (req: { header(name: string): string | undefined; raw: Request }): ImageUpload => ({
  contentType: req.header("content-type"),
  contentLength: contentLength(req.header("content-length")),
  body: req.raw.body,
});

/** Author routes: an org's own items, in any status. */
const authorRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/items",
      tags: ["Catalog: authors"],
      summary: "The org's items, every status",
      security: bearer,
      request: { params: OrgParams },
      responses: { 200: json(z.object({ data: z.array(Item) }), "Items"), ...errors },
    }),
    async (c) => {
      const access = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "member", "catalog:read");
      return c.json({ data: await catalog.listOrgItems(c.var.ctx, { orgId: access.orgId }) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs/{orgId}/items",
      tags: ["Catalog: authors"],
      summary: "Create an item (as a draft)",
      description: "Slugs are global; one within a single edit of another org's published slug is refused (name squatting).",
      security: bearer,
      request: { params: OrgParams, ...jsonBody(CreateItemBody) },
      responses: { 201: json(Item, "Created"), ...errors, ...conflictError },
    }),
    async (c) => {
      const access = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "admin", "catalog:write");
      return c.json(await catalog.createItem(c.var.ctx, { access, input: c.req.valid("json") }), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/items/{itemId}",
      tags: ["Catalog: authors"],
      summary: "One of the org's items",
      security: bearer,
      request: { params: ItemParams },
      responses: { 200: json(Item, "The item"), ...errors },
    }),
    async (c) => {
      const { orgId, itemId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "member", "catalog:read");
      return c.json(await catalog.getOrgItem(c.var.ctx, { orgId: access.orgId, itemId }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/v1/orgs/{orgId}/items/{itemId}",
      tags: ["Catalog: authors"],
      summary: "Edit an item, its pricing or its status (draft, published, unlisted)",
      security: bearer,
      request: { params: ItemParams, ...jsonBody(UpdateItemBody) },
      responses: { 200: json(Item, "Updated"), ...errors, ...conflictError },
    }),
    async (c) => {
      const { orgId, itemId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "catalog:write");
      return c.json(await catalog.updateItem(c.var.ctx, { access, itemId, input: c.req.valid("json") }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/items/{itemId}/versions",
      tags: ["Catalog: authors"],
      summary: "Every version of the item, yanked ones included",
      security: bearer,
      request: { params: ItemParams },
      responses: { 200: json(z.object({ data: z.array(Version) }), "Versions, newest first"), ...errors },
    }),
    async (c) => {
      const { orgId, itemId } = c.req.valid("param");
      requireOrgRole(c.get("principal"), orgId, "member", "catalog:read");
      return c.json({ data: await listOrgItemVersions(c.var.ctx, { orgId, itemId }) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs/{orgId}/items/{itemId}/versions/{version}/yank",
      tags: ["Catalog: authors"],
      summary: "Yank a version: kept for those who have it, hidden from new installs",
      security: bearer,
      request: { params: ItemParams.extend({ version: SemverString }) },
      responses: { 200: json(Version, "Yanked"), ...errors },
    }),
    async (c) => {
      const { orgId, itemId, version } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "catalog:write");
      return c.json(await setYanked(c.var.ctx, { access, itemId, version, yanked: true }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs/{orgId}/items/{itemId}/versions/{version}/unyank",
      tags: ["Catalog: authors"],
      summary: "Undo a yank",
      security: bearer,
      request: { params: ItemParams.extend({ version: SemverString }) },
      responses: { 200: json(Version, "Restored"), ...errors },
    }),
    async (c) => {
      const { orgId, itemId, version } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "catalog:write");
      return c.json(await setYanked(c.var.ctx, { access, itemId, version, yanked: false }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/v1/orgs/{orgId}/items/{itemId}/icon",
      tags: ["Catalog: authors"],
      summary: "Set the icon (PNG, JPEG or WebP, at most 20 MiB)",
      description:
        "The image is processed afterwards: `icon.state` goes `uploaded` → `processing` → `ready` (WebP variants and a placeholder) or `failed` with the reason.",
      security: bearer,
      request: { params: ItemParams, ...binaryBody(["image/png", "image/jpeg", "image/webp"], "The image bytes") },
      responses: { 200: json(Item, "Updated"), ...errors },
    }),
    async (c) => {
      const { orgId, itemId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "catalog:write");
      return c.json(await setIcon(c.var.ctx, { access, itemId, image: imageOf(c.req) }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs/{orgId}/items/{itemId}/screenshots",
      tags: ["Catalog: authors"],
      summary: "Add a screenshot (PNG, JPEG or WebP, at most 20 MiB; at most 8)",
      description: "Processed like the icon: see `screenshots[].state`.",
      security: bearer,
      request: { params: ItemParams, ...binaryBody(["image/png", "image/jpeg", "image/webp"], "The image bytes") },
      responses: { 201: json(Item, "Added"), ...errors, ...conflictError },
    }),
    async (c) => {
      const { orgId, itemId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "catalog:write");
      return c.json(await addScreenshot(c.var.ctx, { access, itemId, image: imageOf(c.req) }), 201);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/v1/orgs/{orgId}/items/{itemId}/screenshots",
      tags: ["Catalog: authors"],
      summary: "Reorder the screenshots",
      description:
        "The body lists the item's `screenshotUrls`, each once, in the new order. A list that is not the current one reordered (a screenshot was added or removed since it was read) is refused with 409 and nothing moves.",
      security: bearer,
      request: { params: ItemParams, ...jsonBody(ReorderScreenshotsBody) },
      responses: { 200: json(Item, "Reordered"), ...errors, ...conflictError },
    }),
    async (c) => {
      const { orgId, itemId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "catalog:write");
      return c.json(await reorderScreenshots(c.var.ctx, { access, itemId, ...c.req.valid("json") }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/v1/orgs/{orgId}/items/{itemId}/screenshots/{index}",
      tags: ["Catalog: authors"],
      summary: "Remove a screenshot by position",
      security: bearer,
      request: { params: ItemParams.extend({ index: z.coerce.number().int().min(0).max(7) }) },
      responses: { ...noContent, ...errors },
    }),
    async (c) => {
      const { orgId, itemId, index } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "catalog:write");
      await removeScreenshot(c.var.ctx, { access, itemId, index });
      return c.body(null, 204);
    },
  );

/** Publishing a version: metadata first (every error before any bytes), then the bundle. */
const publishRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/items/{slug}/uploads",
      tags: ["Catalog: publishing"],
      summary: "Start publishing a version: validates the manifest and version, returns where to PUT the bundle",
      description:
        "Needs admin in the item's org (an API token with `catalog:write` works). Field errors come back per field, e.g. `body.manifest.engines.plaza`.",
      security: bearer,
      request: { params: SlugParams, ...jsonBody(CreateUploadBody) },
      responses: {
        201: json(Upload, "Upload started; valid for an hour"),
        ...errors,
        ...conflictError,
        413: json(z.any(), "Bundle larger than allowed"),
      },
    }),
    async (c) => {
      const principal = requirePrincipal(c.get("principal"), "catalog:write");
      return c.json(await createUpload(c.var.ctx, { principal, slug: c.req.valid("param").slug, input: c.req.valid("json") }), 201);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/v1/uploads/{uploadId}",
      tags: ["Catalog: publishing"],
      summary: "Send the bundle bytes of an upload; creates the version",
      description:
        "Content-Length must equal the declared size; bytes whose SHA-256 differs from the declared one are refused with 422 and nothing is stored.",
      security: bearer,
      request: {
        params: z.object({ uploadId: UploadId }),
        ...binaryBody(["application/octet-stream", "application/gzip"], "The bundle (a .tar.gz)"),
      },
      responses: {
        201: json(Version, "Published"),
        ...errors,
        ...conflictError,
        410: json(z.any(), "Upload expired"),
        422: json(z.any(), "Checksum mismatch"),
      },
    }),
    async (c) => {
      const principal = requirePrincipal(c.get("principal"), "catalog:write");
      const { uploadId } = c.req.valid("param");
      const version = await completeUpload(c.var.ctx, {
        principal,
        uploadId,
        body: c.req.raw.body,
        contentLength: contentLength(c.req.header("content-length")),
      });
      return c.json(version, 201);
    },
  );

/** Public reads: what the storefront, plugins and the CLI see. */
const publicRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/search",
      tags: ["Catalog"],
      summary: "Search published items",
      description:
        "Full text with filters; sort by relevance (text match × Bayesian rating × downloads), rating, downloads or newest; cursor pagination. Public and the same for everyone, so answers are cached at the edge for 60 s (ETag, `If-None-Match` → 304).",
      // Ranking scores every text match, so repeated searches are served from the edge cache.
      middleware: [edgeCached({ ttl: "short" })] as const,
      request: { query: SearchQuery },
      responses: { 200: json(z.object({ data: z.array(Item), nextCursor: Cursor.nullable() }), "A page of items"), 400: authErrors[400] },
    }),
    async (c) => {
      const result = await searchItems(c.var.ctx, c.req.valid("query"));
      if (c.env.BENCH === "1") c.header("x-d1-rows-read", String(result.rowsRead));
      return c.json({ data: result.data, nextCursor: result.nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/items/{slug}",
      tags: ["Catalog"],
      summary: "A published or unlisted item",
      request: { params: SlugParams },
      responses: { 200: json(Item, "The item"), ...notFoundError },
    }),
    async (c) => c.json(await getVisibleItem(c.var.ctx, c.req.valid("param")), 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/items/{slug}/versions",
      tags: ["Catalog"],
      summary: "Installable versions (yanked ones hidden), newest first",
      request: { params: SlugParams },
      responses: { 200: json(z.object({ data: z.array(Version) }), "Versions"), ...notFoundError },
    }),
    async (c) => c.json({ data: await listInstallableVersions(c.var.ctx, c.req.valid("param")) }, 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/updates/check",
      tags: ["Catalog"],
      summary:
        "Newest compatible version per channel for installed items, whether the installed one was yanked, and the changelogs in between",
      request: jsonBody(UpdateCheckBody),
      responses: { 200: json(UpdateCheckResult, "One entry per installed item that still exists"), 400: authErrors[400] },
    }),
    async (c) => c.json(await checkUpdates(c.var.ctx, c.req.valid("json")), 200),
  );

export const catalogRoutes = createRouter().route("/", authorRoutes).route("/", publishRoutes).route("/", publicRoutes);
