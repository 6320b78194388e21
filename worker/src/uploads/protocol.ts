/** The tus 1.0.0 headers: reading a request's, writing a response's. */
import { TUS_CHECKSUM_ALGORITHMS, TUS_EXTENSIONS, TUS_MAX_PATCH_BYTES, TUS_VERSION } from "../../../shared/uploads";
import { AppError } from "../http/errors";

/** Every answer but OPTIONS says which tus version it speaks. */
export const RESUMABLE = { "Tus-Resumable": TUS_VERSION };

/** What OPTIONS advertises: exactly what this server supports. */
export const capabilities = (maxSize: number) => ({
  "Tus-Version": TUS_VERSION,
  "Tus-Extension": TUS_EXTENSIONS.join(","),
  "Tus-Max-Size": String(maxSize),
  "Tus-Checksum-Algorithm": TUS_CHECKSUM_ALGORITHMS.join(","),
});

/** The headers a browser client (Uppy) must be allowed to send and read across origins. */
export const CORS_REQUEST_HEADERS = [
  "Authorization",
  "Content-Type",
  "Upload-Checksum",
  "Upload-Defer-Length",
  "Upload-Length",
  "Upload-Metadata",
  "Upload-Offset",
  "Tus-Resumable",
  "X-Request-Id",
];
export const CORS_EXPOSED_HEADERS = [
  "Location",
  "Upload-Offset",
  "Upload-Length",
  "Upload-Metadata",
  "Upload-Expires",
  "Tus-Resumable",
  "Tus-Version",
  "Tus-Extension",
  "Tus-Max-Size",
  "Tus-Checksum-Algorithm",
  "X-Request-Id",
];

/** A request (other than OPTIONS) must speak tus 1.0.0: 412 with the versions spoken otherwise. */
export function requireTusVersion(header: string | undefined) {
  if (header !== TUS_VERSION) {
    throw new AppError("tus_version_unsupported", `Send Tus-Resumable: ${TUS_VERSION}`, { headers: { "Tus-Version": TUS_VERSION } });
  }
}

/** A non-negative integer header (`Upload-Length`, `Upload-Offset`, `Content-Length`); `undefined` when absent. */
export function integerHeader(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new AppError("invalid_request", `${name} must be a non-negative integer`, {
      fields: { [`header.${name.toLowerCase()}`]: ["must be a non-negative integer"] },
    });
  }
  return Number(value);
}

/** `Upload-Metadata`: comma-separated `key base64(value)` pairs (a key alone has an empty value). */
export function parseUploadMetadata(header: string | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  const invalid = (why: string) =>
    new AppError("invalid_request", `Upload-Metadata: ${why}`, { fields: { "header.upload-metadata": [why] } });
  if (!header?.trim()) return values;
  if (header.length > 16_384) throw invalid("at most 16 KB");
  for (const pair of header.split(",")) {
    const [key, value, extra] = pair.trim().split(" ");
    if (!key || extra !== undefined || key in values) throw invalid(`"${pair.trim()}" is not a unique key and a base64 value`);
    try {
      values[key] = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(value ?? ""), (c) => c.charCodeAt(0)));
    } catch {
      throw invalid(`the value of "${key}" is not base64 of UTF-8 text`);
    }
  }
  return values;
}

/** `Upload-Checksum: sha256 <base64 digest>`; another algorithm is 400 (only sha256 is advertised). */
export function parseUploadChecksum(header: string | undefined): Uint8Array | undefined {
  if (header === undefined) return undefined;
  const [algorithm, digest] = header.trim().split(" ");
  if (algorithm !== "sha256") {
    throw new AppError("invalid_request", "Upload-Checksum: only sha256 is supported", {
      fields: { "header.upload-checksum": ["algorithm must be sha256"] },
    });
  }
  try {
    const bytes = Uint8Array.from(atob(digest ?? ""), (c) => c.charCodeAt(0));
    if (bytes.length === 32) return bytes;
  } catch {
    // Not base64: answered below.
  }
  throw new AppError("invalid_request", "Upload-Checksum: the digest must be 32 bytes in base64", {
    fields: { "header.upload-checksum": ["digest must be base64 of 32 bytes"] },
  });
}

/** A PATCH body must be tus's content type (415 otherwise) and fit one Worker request. */
export function requirePatchBody(contentType: string | undefined, contentLength: number | undefined) {
  if (contentType?.split(";")[0]?.trim().toLowerCase() !== "application/offset+octet-stream") {
    throw new AppError("unsupported_media_type", "Send the bytes as Content-Type: application/offset+octet-stream");
  }
  if (contentLength !== undefined && contentLength > TUS_MAX_PATCH_BYTES) {
    throw new AppError("payload_too_large", `One PATCH carries at most ${TUS_MAX_PATCH_BYTES} bytes; send smaller chunks`);
  }
}

/** `Upload-Expires` is an RFC 9110 HTTP date. */
export const httpDate = (ms: number) => new Date(ms).toUTCString();
