// Sends a bundle to Plaza's tus endpoint (/v1/tus) with tus-js-client: resumable, so a run that was
// interrupted (killed, network gone) is continued by the next run from the server's offset.
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DetailedError, FileUrlStorage, Upload } from "tus-js-client";
import { ApiError, createApiClient, NetworkError } from "./api.mjs";
import { configDir } from "./config.mjs";
import { CliError } from "./errors.mjs";

/** Plaza's tus endpoint (TUS_ENDPOINT in shared/uploads.ts). */
const TUS_PATH = "/v1/tus";
/** The server's R2 part size: each PATCH fills exactly one part, so no bytes wait in a temporary object. */
const CHUNK_BYTES = 8 * 1024 * 1024;
/** Waits before each new try after a network failure or a 5xx; then the run fails (and the next run resumes). */
const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10000];
/** Polling a verifying upload: the first wait, doubled up to the last, until the deadline (a 2 GiB bundle takes about a minute). */
const VERIFY_POLL = { firstWaitMs: 250, maxWaitMs: 5000, deadlineMs: 10 * 60_000 };

/** Where unfinished uploads are remembered between runs: `tus::<fingerprint>::<n>` → its URL. */
export const uploadsPath = (env = process.env) => join(configDir(env), "uploads.json");

/**
 * Uploads `bytes` as a bundle with `metadata` (shared/uploads.ts BundleUploadMetadata), resuming
 * an earlier upload of the same bundle and metadata to the same API if one is remembered.
 * `onProgress(sent, total)` follows the bytes; resolves once the last byte is stored (the server then
 * verifies it: see `awaitVerification`) to the offset it resumed at (0 for a new upload) and the upload's URL.
 * @param {{ api: string, token: string, bytes: Buffer, metadata: Record<string, string>, onProgress?: (sent: number, total: number) => void }} input
 * @returns {Promise<{ resumedAt: number, uploadUrl: string }>}
 */
export async function uploadBundle({ api, token, bytes, metadata, onProgress = () => {} }) {
  const endpoint = `${api}${TUS_PATH}`;
  const storage = uploadsPath();
  mkdirSync(configDir(), { recursive: true, mode: 0o700 });
  return new Promise((resolve, reject) => {
    let resumedAt;
    const upload = new Upload(bytes, {
      endpoint,
      chunkSize: CHUNK_BYTES,
      metadata,
      headers: { authorization: `Bearer ${token}`, "user-agent": "plaza-cli" },
      urlStorage: new FileUrlStorage(storage),
      fingerprint: async () => fingerprint(endpoint, metadata),
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      retryDelays: RETRY_DELAYS_MS,
      onShouldRetry: shouldRetry,
      onProgress: (sent, total) => {
        // The first report is where the upload starts: the server's offset when resuming.
        resumedAt ??= sent;
        onProgress(sent, total);
      },
      onSuccess: () => resolve({ resumedAt: resumedAt ?? 0, uploadUrl: upload.url }),
      onError: (err) => reject(asApiFailure(err, endpoint)),
    });
    upload
      .findPreviousUploads()
      .then((previous) => {
        if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      })
      .catch(reject);
  });
}

/**
 * Waits for the server to verify a stored upload (its SHA-256 checked, then the bundle made a version),
 * polling GET on its URL with a growing wait: resolves to its status once `complete`; a failed one is
 * the server's 422 ApiError with the reason. A network failure or a 5xx while polling is tried again
 * until the deadline, then the run fails (the server still finishes the upload: GET its URL).
 * @param {{ api: string, token: string, uploadUrl: string, poll?: Partial<typeof VERIFY_POLL> }} input
 */
export async function awaitVerification({ api, token, uploadUrl, poll = {} }) {
  const { firstWaitMs, maxWaitMs, deadlineMs } = { ...VERIFY_POLL, ...poll };
  const client = createApiClient({ api, token });
  const deadline = Date.now() + deadlineMs;
  for (let wait = firstWaitMs; ; wait = Math.min(wait * 2, maxWaitMs)) {
    const status = await client.uploadStatus(uploadUrl).catch((err) => {
      if (err instanceof NetworkError || (err instanceof ApiError && err.status >= 500)) return undefined;
      throw err;
    });
    if (status && status.state !== "verifying") return status;
    if (Date.now() + wait > deadline) {
      throw new CliError(`The server was still verifying the upload after ${Math.round(deadlineMs / 1000)} s`, {
        hint: `It goes on without the CLI: GET ${uploadUrl} (with your token) shows its outcome, or run \`plaza versions list\` later.`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Another bundle, version, channel, changelog or server is another upload. */
const fingerprint = (endpoint, metadata) =>
  `plaza-bundle-${createHash("sha256")
    .update(JSON.stringify([endpoint, metadata]))
    .digest("hex")}`;

/**
 * Creating the upload is where the server refuses the version (400, 403, 404, 409, 413): that answer is
 * final. A HEAD or PATCH is tried again after a network failure, a 5xx, or a 409/423 (another PATCH
 * still being saved), each time from HEAD's offset.
 */
function shouldRetry(err) {
  const status = err.originalResponse?.getStatus() ?? 0;
  if (err.originalRequest?.getMethod() === "POST") return status >= 500;
  return status === 0 || status >= 500 || status === 409 || status === 423;
}

/** tus-js-client's error as the CLI's: the server's JSON envelope as an ApiError, no answer as a NetworkError. */
function asApiFailure(err, endpoint) {
  if (!(err instanceof DetailedError)) return err;
  const res = err.originalResponse;
  if (!res) return new NetworkError(err.originalRequest?.getURL() ?? endpoint, { cause: err.causingError });
  let envelope;
  try {
    envelope = JSON.parse(res.getBody()).error;
  } catch {
    // Not Plaza's envelope (a proxy's page): the status says what there is to say.
  }
  const status = res.getStatus();
  return new ApiError(
    status,
    envelope && typeof envelope === "object" ? envelope : { message: `${status} from ${err.originalRequest.getMethod()} ${TUS_PATH}` },
  );
}
