/**
 * A project's files in R2: upload (resumable, over tus with Uppy), list with each one's state, download
 * (once ready) and delete. Image assets are processed after upload: the list refreshes itself,
 * backing off, while one is, and shows why one failed.
 */

import type { z } from "zod";
import { AssetName, type ProjectAsset, type ProjectT } from "../../../../shared/projects";
import { api } from "../../api/client";
import { asApiError } from "../../api/errors";
import { unwrap, unwrapBlob } from "../../api/unwrap";
import { h, replace, uniqueId } from "../../dom";
import { formatBytes, formatDateTime } from "../../format";
import { projectScope } from "../../offline/project-edits";
import type { MutationQueue } from "../../offline/queue";
import { backoffPoller } from "../../ui/backoff-poller";
import { isInProgress, mediaStateText } from "../../ui/media-image";
import { describeError } from "../../ui/messages";
import { resumableUpload, UploadCanceled } from "../../ui/resumable-upload";
import { saveBlob } from "../../ui/save-blob";
import { dataTable, row } from "../../ui/table";
import { toast } from "../../ui/toast";

type ProjectAssetT = z.infer<typeof ProjectAsset>;

export function assetsSection(o: {
  orgId: string;
  projectId: string;
  canEdit: boolean;
  signal: AbortSignal;
  reload: () => Promise<void>;
  queue: MutationQueue;
}) {
  const assetApi = api.v1.orgs[":orgId"].projects[":projectId"].assets[":name"];
  // `hc` puts params into the path as they are, and an asset name may hold `%`, `?` or `#`.
  const assetParam = (name: string) => ({ param: { orgId: o.orgId, projectId: o.projectId, name: encodeURIComponent(name) } });
  const deletePath = (name: string) => assetApi.$url(assetParam(name)).pathname;
  const assetsPath = `/v1/orgs/${o.orgId}/projects/${o.projectId}/assets/`;
  /** A delete still queued on this device (offline): the row says so instead of offering it again. */
  const deleteQueued = (name: string) => o.queue.snapshot().entries.some((e) => e.method === "DELETE" && e.path === deletePath(name));
  let shown: ProjectT | undefined;
  const markDeleting = () => shown && drawList(shown);
  const listBody = h("div");
  /** Runs a button's action; a message it returns is shown as a toast. */
  const run = async (button: HTMLButtonElement, action: () => Promise<string | undefined>) => {
    button.disabled = true;
    try {
      const done = await action();
      if (done) toast(done);
    } catch (err) {
      toast(describeError(asApiError(err)), "error");
    } finally {
      button.disabled = false;
    }
  };

  /** A row: name, type, size, when, its state, then `actions`. */
  const assetLine = (asset: ProjectAssetT, state: { key: string; text: string }, actions: Node | string) =>
    row(
      { "data-asset-name": asset.name },
      h("span", { class: "wrap-anywhere" }, asset.name),
      asset.contentType,
      formatBytes(asset.size),
      h("span", { class: "nowrap" }, formatDateTime(asset.createdAt)),
      h("span", { class: "asset-state", "data-state": state.key }, state.text),
      actions,
    );

  const assetRow = (asset: ProjectAssetT) => {
    if (deleteQueued(asset.name)) return assetLine(asset, { key: "deleting", text: "Deleted when Plaza can be reached" }, "");
    const download: HTMLButtonElement = h(
      "button",
      {
        type: "button",
        class: "button small",
        "aria-label": `Download ${asset.name}`,
        onclick: () => void run(download, async () => void saveBlob(await unwrapBlob(assetApi.$get(assetParam(asset.name))), asset.name)),
      },
      "Download",
    );
    const remove: HTMLButtonElement = h(
      "button",
      {
        type: "button",
        class: "button small danger",
        "aria-label": `Delete ${asset.name}`,
        onclick: () =>
          void run(remove, async () => {
            if (!confirm(`Delete ${asset.name}? It cannot be recovered.`)) return;
            const outcome = await o.queue.enqueue({
              scope: projectScope(o.projectId),
              label: `Deleting ${asset.name}`,
              method: "DELETE",
              path: deletePath(asset.name),
            });
            if (!outcome.applied) {
              markDeleting();
              return `${asset.name} will be deleted when Plaza can be reached.`;
            }
            return `Deleted ${asset.name}.`;
          }),
      },
      "Delete",
    );
    return assetLine(
      asset,
      { key: asset.state, text: mediaStateText(asset) },
      // Served only once ready: until then the API answers 409 (processing) or 422 (failed).
      h("div", { class: "row-actions" }, asset.state === "ready" && download, o.canEdit && remove),
    );
  };

  const fileId = uniqueId("asset-file");
  const fileInput = h("input", { id: fileId, type: "file", name: "file", required: true, "aria-describedby": `${fileId}-hint` });
  const uploadButton: HTMLButtonElement = h("button", { type: "submit", class: "button primary" }, "Upload");
  const uploads = h("div", { class: "stack" });
  /** Sends `file` over tus with Uppy: progress, Pause/Resume, Cancel; the same file chosen after a reload resumes. */
  const upload = async (file: File) => {
    const sending = resumableUpload({
      scope: `asset-${o.projectId}`,
      file,
      label: file.name,
      metadata: { kind: "asset", project: o.projectId, filename: file.name, filetype: file.type || "application/octet-stream" },
    });
    uploads.append(sending.element);
    try {
      await sending.finished;
      toast(`Uploaded ${file.name}.`);
      await o.reload();
    } catch (err) {
      toast(err instanceof UploadCanceled ? err.message : describeError(asApiError(err)), err instanceof UploadCanceled ? "info" : "error");
    } finally {
      sending.element.remove();
    }
  };
  const uploadForm = h(
    "form",
    {
      class: "inline-form compact",
      "aria-label": "Upload an asset",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const file = fileInput.files?.[0];
        if (!file) return toast("Choose a file to upload.", "error");
        // The Worker's own check, made first so a file it would refuse is not sent for nothing.
        const badName = AssetName.safeParse(file.name).error?.issues[0]?.message;
        if (badName) return toast(`${file.name} cannot be an asset name: it needs ${badName}. Rename the file and try again.`, "error");
        uploadForm.reset();
        void upload(file);
      },
    },
    h(
      "div",
      { class: "field" },
      h("label", { for: fileId }, "File"),
      fileInput,
      h(
        "p",
        { id: `${fileId}-hint`, class: "hint" },
        "A file with the same name is replaced. Uploads can be paused and survive a lost connection; after a reload, choose the same file again to go on where it stopped.",
      ),
    ),
    h("div", { class: "form-actions" }, uploadButton),
  );

  const anyInProgress = (project: ProjectT) => (project.assets ?? []).some((asset) => isInProgress(asset.state));
  function drawList(project: ProjectT) {
    shown = project;
    replace(
      listBody,
      dataTable({
        caption: "Assets",
        headers: ["Name", "Type", "Size", "Uploaded", "State", ""],
        rows: (project.assets ?? []).map(assetRow),
        empty: "No assets yet.",
      }),
    );
  }
  // A delete sent from the queue later (back online, after a reload) updates the page then.
  const stop = o.queue.onApplied((entry) => {
    if (entry.method === "DELETE" && entry.path.startsWith(assetsPath)) void o.reload();
  });
  o.signal.addEventListener("abort", stop, { once: true });
  /** While an asset is processed, this list alone is refreshed: redrawing the page would reset its forms. */
  const poller = backoffPoller({
    signal: o.signal,
    check: async () => {
      const project = await unwrap(
        api.v1.orgs[":orgId"].projects[":projectId"].$get({ param: { orgId: o.orgId, projectId: o.projectId } }),
      );
      if (o.signal.aborted) return false;
      drawList(project);
      return anyInProgress(project);
    },
  });
  const render = (project: ProjectT) => {
    drawList(project);
    if (anyInProgress(project)) poller.start();
  };

  return { content: [listBody, o.canEdit && [uploadForm, uploads]], render };
}
