/**
 * Resumable uploads over tus 1.0.0 (https://tus.io/protocols/resumable-upload): the endpoint, what
 * the server supports, and the `Upload-Metadata` each kind of upload carries. Shared by the Worker,
 * the web app (Uppy) and the CLI (tus-js-client).
 */
import { z } from "zod";
import { CHANNELS } from "./catalog";
import { AssetName } from "./projects";

/** POST here to create an upload; its `Location` is `${TUS_ENDPOINT}/<id>`. */
export const TUS_ENDPOINT = "/v1/tus";
export const TUS_VERSION = "1.0.0";
export const TUS_EXTENSIONS = ["creation", "creation-with-upload", "termination", "expiration", "checksum"] as const;
export const TUS_CHECKSUM_ALGORITHMS = ["sha256"] as const;

/** The largest PATCH body: under the Workers request body limit (100 MB), so a client's chunkSize must not exceed it. */
export const TUS_MAX_PATCH_BYTES = 96 * 1024 * 1024;

const Sha256Hex = z.string().regex(/^[a-f0-9]{64}$/, "must be 64 lowercase hex characters");

/**
 * A bundle becomes a version of the item `item` (its slug) once complete, as `POST
 * /v1/items/{slug}/uploads` + `PUT` would make it: `manifest` is plaza.json's JSON text, `sha256`
 * the whole file's digest (required: the version is published only if the bytes match).
 */
export const BundleUploadMetadata = z.object({
  kind: z.literal("bundle"),
  item: z.string().min(1),
  version: z.string(),
  channel: z.enum(CHANNELS).default("stable"),
  changelog: z.string().default(""),
  manifest: z.string(),
  sha256: Sha256Hex,
  filename: z.string().optional(),
});

/**
 * An asset becomes the asset `filename` of project `project` once complete (Uppy sends `filename`
 * and `filetype` by itself). `sha256` is optional here: when given, the file must match it.
 */
export const AssetUploadMetadata = z.object({
  kind: z.literal("asset"),
  project: z.string().min(1),
  filename: AssetName,
  filetype: z.string().optional(),
  sha256: Sha256Hex.optional(),
});

/**
 * An image becomes the icon (replacing it) or one more screenshot of the item `item` (its id, or its
 * slug as the bundle kind takes it) once complete, as its single PUT would; then it is processed
 * (its media row goes `uploaded` → `processing` → `ready` | `failed`). `filetype` must be one of
 * ITEM_IMAGE_TYPES (else 415 at creation); at most ITEM_IMAGE_MAX_BYTES.
 */
export const ItemImageUploadMetadata = z.object({
  kind: z.literal("item-image"),
  item: z.string().min(1),
  role: z.enum(["icon", "screenshot"]),
  filename: z.string().optional(),
  filetype: z.string().optional(),
  sha256: Sha256Hex.optional(),
});

export const UploadMetadata = z.discriminatedUnion("kind", [BundleUploadMetadata, AssetUploadMetadata, ItemImageUploadMetadata]);
export type UploadMetadataT = z.infer<typeof UploadMetadata>;

/** Encodes `Upload-Metadata`: comma-separated `key base64(value)` pairs. */
export function encodeUploadMetadata(values: Record<string, string>): string {
  const base64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
  return Object.entries(values)
    .map(([key, value]) => `${key} ${base64(value)}`)
    .join(",");
}
