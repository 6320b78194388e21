/**
 * Publishing a bundle from the browser, as `plaza publish` does: announce the version (manifest,
 * SHA-256, size: every refusal comes back before any bytes move), then PUT the bytes to the
 * upload's URL. The PUT goes through XMLHttpRequest because only it reports upload progress.
 */
import type { z } from "zod";
import type { CreateUploadBody, VersionT } from "../../../../shared/catalog";
import { api } from "../../api/client";
import { ApiError, apiErrorFrom } from "../../api/errors";
import { unwrap } from "../../api/unwrap";
import { accessToken } from "../../auth/session";

export const announceVersion = (slug: string, body: z.input<typeof CreateUploadBody>) =>
  unwrap(api.v1.items[":slug"].uploads.$post({ param: { slug }, json: body }));

/** PUTs `bundle` to `uploadUrl`, calling `onProgress` with the fraction sent (0–1); resolves with the new version. */
export async function sendBundle(uploadUrl: string, bundle: Blob, onProgress: (fraction: number) => void): Promise<VersionT> {
  const token = await accessToken();
  const xhr = new XMLHttpRequest();
  const done = new Promise<void>((resolve, reject) => {
    xhr.addEventListener("load", () => resolve());
    const failed = () => reject(new ApiError("network_error", "The upload was interrupted. Check your connection and publish again.", 0));
    xhr.addEventListener("error", failed);
    xhr.addEventListener("abort", failed);
  });
  xhr.upload.addEventListener("progress", (e) => {
    if (e.lengthComputable) onProgress(e.loaded / e.total);
  });
  xhr.open("PUT", uploadUrl);
  if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
  xhr.setRequestHeader("content-type", "application/gzip");
  xhr.send(bundle);
  await done;
  const answer = new Response(xhr.responseText, { status: xhr.status, headers: { "content-type": "application/json" } });
  if (!answer.ok) throw await apiErrorFrom(answer);
  onProgress(1);
  return (await answer.json()) as VersionT;
}
