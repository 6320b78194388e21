/**
 * The tus 1.0.0 endpoint. It speaks tus, not JSON (HEAD, PATCH with raw bytes, status 460), so it
 * sits beside the OpenAPI routes; errors outside tus's own answers are Plaza's JSON envelope.
 * HEAD is Hono's GET without the body: GET answers the same headers plus the upload as JSON.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { TUS_ENDPOINT } from "../../../shared/uploads";
import type { AppEnv } from "../env";
import { AppError } from "../http/errors";
import {
  CORS_EXPOSED_HEADERS,
  CORS_REQUEST_HEADERS,
  capabilities,
  httpDate,
  integerHeader,
  parseUploadChecksum,
  parseUploadMetadata,
  RESUMABLE,
  requirePatchBody,
  requireTusVersion,
} from "./protocol";
import { createUpload, patchUpload, terminateUpload, type UploadRow, uploadOffset } from "./service";
import { maxBytes } from "./targets";

const uploadPath = (id: string) => `${TUS_ENDPOINT}/${id}`;

/** Where the upload stands, for HEAD (and GET). */
const progressHeaders = (row: UploadRow): Record<string, string> => ({
  ...RESUMABLE,
  "Upload-Offset": String(row.offset),
  "Upload-Length": String(row.length),
  ...(row.metadata ? { "Upload-Metadata": row.metadata } : {}),
  ...(row.state === "receiving" ? { "Upload-Expires": httpDate(row.expiresAt) } : {}),
  "Cache-Control": "no-store",
});

const toStatus = (row: UploadRow) => ({
  id: row.id,
  kind: row.kind,
  state: row.state,
  offset: row.offset,
  length: row.length,
  expiresAt: row.expiresAt,
  result: row.result,
});

export const tusRoutes = new Hono<AppEnv>()
  .use(`${TUS_ENDPOINT}/*`, async function tusHeaders(c, next) {
    await next();
    // OPTIONS (answered by `cors` below, preflight or not) advertises what is supported; the rest say the version.
    if (c.req.method === "OPTIONS") {
      for (const [name, value] of Object.entries(capabilities(Math.max(maxBytes(c.env, "bundle"), maxBytes(c.env, "asset"))))) {
        c.res.headers.set(name, value);
      }
    } else {
      c.res.headers.set("Tus-Resumable", RESUMABLE["Tus-Resumable"]);
    }
  })
  // Bearer tokens, never cookies, authorise uploads: any origin may call, so Uppy works from anywhere.
  .use(
    `${TUS_ENDPOINT}/*`,
    cors({
      origin: "*",
      allowMethods: ["OPTIONS", "HEAD", "GET", "POST", "PATCH", "DELETE"],
      allowHeaders: CORS_REQUEST_HEADERS,
      exposeHeaders: CORS_EXPOSED_HEADERS,
      maxAge: 86_400,
    }),
  )
  .post(TUS_ENDPOINT, async (c) => {
    requireTusVersion(c.req.header("tus-resumable"));
    const length = integerHeader("Upload-Length", c.req.header("upload-length"));
    if (c.req.header("upload-defer-length") !== undefined || length === undefined || length === 0) {
      throw new AppError("invalid_request", "Send Upload-Length: the file's size (at least 1 byte)", {
        fields: { "header.upload-length": ["is required and at least 1"] },
      });
    }
    const metadataHeader = c.req.header("upload-metadata") ?? "";
    const ctx = c.var.ctx;
    const principal = c.get("principal");
    // creation-with-upload: bytes in the POST are a PATCH at offset 0.
    const withBytes = c.req.header("content-type") !== undefined && Number(c.req.header("content-length") ?? "1") > 0;
    const contentLength = integerHeader("Content-Length", c.req.header("content-length"));
    if (withBytes) requirePatchBody(c.req.header("content-type"), contentLength);
    const checksum = parseUploadChecksum(c.req.header("upload-checksum"));
    let row = await createUpload(ctx, { principal, metadata: parseUploadMetadata(metadataHeader), metadataHeader, length });
    const location = new URL(uploadPath(row.id), c.req.url).toString();
    if (withBytes) {
      row = await patchUpload(ctx, { principal, uploadId: row.id, offset: 0, body: c.req.raw.body, contentLength, checksum }).catch(
        (err) => {
          // The upload exists: the client can resume it from its Location.
          if (err instanceof AppError) err.extra.headers = { ...err.extra.headers, Location: location };
          throw err;
        },
      );
    }
    return c.body(null, 201, {
      Location: location,
      "Upload-Offset": String(row.offset),
      ...(row.state === "receiving" ? { "Upload-Expires": httpDate(row.expiresAt) } : {}),
    });
  })
  .get(`${TUS_ENDPOINT}/:uploadId`, async (c) => {
    if (c.req.method === "HEAD") requireTusVersion(c.req.header("tus-resumable"));
    const row = await uploadOffset(c.var.ctx, { principal: c.get("principal"), uploadId: c.req.param("uploadId") });
    return c.json(toStatus(row), 200, progressHeaders(row));
  })
  .patch(`${TUS_ENDPOINT}/:uploadId`, async (c) => {
    requireTusVersion(c.req.header("tus-resumable"));
    const contentLength = integerHeader("Content-Length", c.req.header("content-length"));
    requirePatchBody(c.req.header("content-type"), contentLength);
    const offset = integerHeader("Upload-Offset", c.req.header("upload-offset"));
    if (offset === undefined) {
      throw new AppError("invalid_request", "Send Upload-Offset", { fields: { "header.upload-offset": ["is required"] } });
    }
    const row = await patchUpload(c.var.ctx, {
      principal: c.get("principal"),
      uploadId: c.req.param("uploadId"),
      offset,
      body: c.req.raw.body,
      contentLength,
      checksum: parseUploadChecksum(c.req.header("upload-checksum")),
    });
    return c.body(null, 204, {
      "Upload-Offset": String(row.offset),
      ...(row.state === "receiving" ? { "Upload-Expires": httpDate(row.expiresAt) } : {}),
    });
  })
  .delete(`${TUS_ENDPOINT}/:uploadId`, async (c) => {
    requireTusVersion(c.req.header("tus-resumable"));
    await terminateUpload(c.var.ctx, { principal: c.get("principal"), uploadId: c.req.param("uploadId") });
    return c.body(null, 204);
  });
