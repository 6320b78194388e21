/**
 * One file sent over tus (/v1/tus) with Uppy: a progress bar with Pause/Resume and Cancel. Uppy's
 * tus plugin keeps each upload's URL in localStorage under a fingerprint (this upload's `scope`
 * and the file's name, type, size and date), so choosing the same file again after a reload
 * resumes where the server stopped; a dropped network is waited out (Uppy retries once the
 * browser is back online), and an upload whose retries ran out resumes with Resume.
 */
import type { Meta } from "@uppy/core";
import { TUS_ENDPOINT, type UploadMetadataT } from "../../../shared/uploads";
import { authorizedFetch } from "../api/authorized-fetch";
import { ApiError, apiErrorFrom } from "../api/errors";
import { accessToken } from "../auth/session";
import { h, uniqueId } from "../dom";
import { formatBytes } from "../format";

/** Each PATCH's size: the server's R2 part size (8 MiB), so every PATCH fills whole parts and stays far below the Worker's body limit. */
export const TUS_CHUNK_BYTES = 8 * 1024 * 1024;

/** Uppy and its tus plugin, loaded with the first upload: pages that never upload do not carry them. */
const loadUppy = async () => {
  const [core, tus] = await Promise.all([import("@uppy/core"), import("@uppy/tus")]);
  return { Uppy: core.default, Tus: tus.default };
};

/** The upload was canceled by the person (its server side is terminated). */
export class UploadCanceled extends Error {}

/** What `GET` on the upload's URL answers once it is complete: `result` is what the file became. */
export interface UploadStatus {
  id: string;
  kind: UploadMetadataT["kind"];
  state: string;
  result: Record<string, unknown> | null;
}

/** Waits between GETs on an upload the server is verifying: doubling from 0.5 s to 5 s, for at most 10 minutes. */
const VERIFY_POLL = { firstWaitMs: 500, maxWaitMs: 5000, deadlineMs: 10 * 60_000 };

/**
 * GET on the upload's URL until the server has verified the stored file (its SHA-256 checked, then
 * made an asset, a version or an image): its status once complete; a failed one rejects with the
 * server's 422 and its reason. A network failure or a 5xx is tried again until the deadline.
 */
async function verifiedStatus(uploadUrl: string): Promise<UploadStatus> {
  const deadline = Date.now() + VERIFY_POLL.deadlineMs;
  for (let wait = VERIFY_POLL.firstWaitMs; ; wait = Math.min(wait * 2, VERIFY_POLL.maxWaitMs)) {
    const res = await authorizedFetch(uploadUrl).catch(() => undefined);
    if (res?.ok) {
      const status = (await res.json()) as UploadStatus;
      if (status.state !== "verifying") return status;
    } else if (res && res.status < 500) {
      throw await apiErrorFrom(res);
    }
    if (Date.now() + wait > deadline) {
      throw new ApiError("network_error", "The file was uploaded, but the server has not finished checking it; reload the page later.", 0);
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Field errors of `Upload-Metadata` (`header.upload-metadata.version`) keyed as forms name them (`version`). */
const METADATA_FIELD = /^header\.upload-metadata\./;

async function errorOf(status: number, xhr: XMLHttpRequest | undefined): Promise<ApiError> {
  if (!status || !xhr) return new ApiError("network_error", "The upload was interrupted. Check your connection, then Resume.", 0);
  const error = await apiErrorFrom(new Response(xhr.responseText || null, { status }));
  const body = (await new Response(xhr.responseText).json().catch(() => null)) as { error?: { fields?: Record<string, string[]> } } | null;
  const fields: Record<string, string[]> = {};
  for (const [path, messages] of Object.entries(body?.error?.fields ?? {})) fields[path.replace(METADATA_FIELD, "")] = messages;
  return new ApiError(error.code, error.message, error.status, error.requestId, fields, error.retryAfterSeconds);
}

/**
 * Starts sending `file` with `metadata` (the keys shared/uploads.ts describes). `scope` names what
 * it is for (e.g. the project), so the same file uploaded elsewhere is a different upload.
 * `finished` resolves with the upload's status once the server has stored and checked the file,
 * and rejects with UploadCanceled or the ApiError the server answered.
 */
export function resumableUpload(o: { scope: string; file: File; metadata: Record<string, string>; label: string }) {
  const labelId = uniqueId("upload");
  const bar = h("progress", { max: 100, value: 0, "aria-labelledby": labelId });
  const percent = h("span", { class: "upload-percent" }, "0%");
  const status = h("p", { class: "hint upload-status", role: "status" }, "Starting…");
  const pause: HTMLButtonElement = h("button", { type: "button", class: "button small", disabled: true }, "Pause");
  const cancel: HTMLButtonElement = h("button", { type: "button", class: "button small danger", disabled: true }, "Cancel");
  const element = h(
    "div",
    { class: "resumable-upload", role: "group", "aria-label": `Upload of ${o.label}`, "data-state": "uploading" },
    h("div", { class: "upload-progress" }, h("span", { id: labelId }, `Uploading ${o.label}`), bar, percent),
    status,
    h("div", { class: "row-actions" }, pause, cancel),
  );
  const setState = (state: string, text: string) => {
    element.dataset.state = state;
    status.textContent = text;
  };
  const finished = loadUppy().then(
    ({ Uppy, Tus }) =>
      new Promise<UploadStatus>((resolve, reject) => {
        const uppy = new Uppy({ id: o.scope, autoProceed: false });
        uppy.use(Tus, {
          endpoint: new URL(TUS_ENDPOINT, location.origin).toString(),
          chunkSize: TUS_CHUNK_BYTES,
          limit: 1,
          // A finished upload's URL is forgotten, so sending the same file again makes a new upload.
          removeFingerprintOnSuccess: true,
          allowedMetaFields: Object.keys(o.metadata),
          // Bearer tokens, never cookies, authorise tus (as every API call); asked per request, so a refreshed token is used.
          async onBeforeRequest(req) {
            const token = await accessToken();
            if (token) req.setHeader("authorization", `Bearer ${token}`);
          },
        });
        const fileId = uppy.addFile({
          name: o.file.name,
          type: o.file.type || "application/octet-stream",
          data: o.file,
          meta: o.metadata as Meta,
        });
        let paused = false;
        let interrupted = false;
        const finish = () => {
          pause.disabled = true;
          cancel.disabled = true;
          uppy.destroy();
        };

        uppy.on("upload-progress", (file, progress) => {
          if (!file || paused || !navigator.onLine) return;
          const total = progress.bytesTotal ?? o.file.size;
          const sent = progress.bytesUploaded;
          const value = total ? Math.floor((sent / total) * 100) : 0;
          bar.value = value;
          percent.textContent = `${value}%`;
          // Past the last byte the server assembles the file and checks its SHA-256.
          setState("uploading", sent === total ? "Checking the file…" : `Uploading: ${formatBytes(sent)} of ${formatBytes(total)}`);
        });
        uppy.on("is-offline", () => {
          if (!paused) setState("offline", "Offline: the upload goes on when the connection is back.");
        });
        uppy.on("back-online", () => {
          if (!paused) setState("uploading", "Back online: resuming…");
        });
        uppy.on("upload-success", async (_file, response) => {
          // Every byte is stored; the server now checks the file's SHA-256 and takes it, off the last PATCH.
          pause.disabled = true;
          cancel.disabled = true;
          bar.value = 100;
          percent.textContent = "100%";
          setState("verifying", "Verifying…");
          try {
            const result = await verifiedStatus(String(response.uploadURL));
            setState("done", `Uploaded ${o.label}.`);
            resolve(result);
          } catch (err) {
            const error =
              err instanceof ApiError ? err : new ApiError("network_error", "The upload finished, but its result could not be read.", 0);
            setState("failed", error.message);
            reject(error);
          } finally {
            finish();
          }
        });
        uppy.on("upload-error", async (_file, _error, response) => {
          const error = await errorOf(response?.status ?? 0, (response?.body as { xhr?: XMLHttpRequest } | undefined)?.xhr);
          if (error.status === 0) {
            // Retries ran out while the network was down: the upload stays resumable.
            interrupted = true;
            pause.textContent = "Resume";
            setState("interrupted", error.message);
            return;
          }
          setState("failed", error.message);
          finish();
          reject(error);
        });
        cancel.addEventListener("click", () => {
          // Removing the file terminates the upload on the server (DELETE) and forgets its URL.
          uppy.removeFile(fileId);
          setState("canceled", "Canceled.");
          finish();
          reject(new UploadCanceled(`The upload of ${o.label} was canceled.`));
        });
        pause.addEventListener("click", () => {
          if (interrupted) {
            interrupted = false;
            pause.textContent = "Pause";
            setState("uploading", "Resuming…");
            void uppy.retryUpload(fileId);
            return;
          }
          paused = uppy.pauseResume(fileId) ?? false;
          pause.textContent = paused ? "Resume" : "Pause";
          if (paused) setState("paused", `Paused at ${bar.value}%.`);
          else setState("uploading", "Resuming…");
        });
        pause.disabled = false;
        cancel.disabled = false;
        void uppy.upload();
      }),
  );
  return { element, finished };
}
