/**
 * The Media tab: the item's icon and up to eight screenshots, as the storefront shows them. Admins
 * add images by dropping files or choosing them; each goes over tus with Uppy (progress,
 * Pause/Resume, Cancel) as it is, and the server makes its variants: each image shows its state
 * (Processing, Ready, Failed: <reason>) and the tab refreshes itself, backing off, until none is
 * being processed. Screenshots are reordered by dragging or with Move up/down, and deleted.
 */
import { MAX_SCREENSHOTS } from "../../../../../shared/catalog";
import type { MediaImageT } from "../../../../../shared/media";
import { api } from "../../../api/client";
import { asApiError } from "../../../api/errors";
import { unwrap } from "../../../api/unwrap";
import { type Child, h, replace } from "../../../dom";
import { backoffPoller } from "../../../ui/backoff-poller";
import { isInProgress, mediaFigure } from "../../../ui/media-image";
import { describeError } from "../../../ui/messages";
import { section } from "../../../ui/page";
import { resumableUpload, UploadCanceled } from "../../../ui/resumable-upload";
import { toast } from "../../../ui/toast";
import { fileDropZone } from "../media-drop-zone";
import { IMAGE_ACCEPT, IMAGE_FILES_HINT, imageFileProblem } from "../media-images";
import type { StudioTab, StudioTabContext } from "../tabs";

type Role = "icon" | "screenshot";

class ImageProblem extends Error {}

/** Shows what failed (a canceled upload as information); the tab then refreshes, so it shows what was stored. */
const report = (err: unknown) => {
  if (err instanceof UploadCanceled) toast(err.message, "info");
  else toast(err instanceof ImageProblem ? err.message : describeError(asApiError(err)), "error");
};

function mediaTabContent(ctx: StudioTabContext): Node {
  const { orgId, canEdit, signal } = ctx;
  let item = ctx.item;
  const param = { orgId, itemId: item.id };
  const itemApi = api.v1.orgs[":orgId"].items[":itemId"];
  const status = h("p", { class: "media-status", role: "status" });
  const iconSlot = h("div", { class: "stack" });
  const screenshotsSlot = h("div", { class: "stack" });
  const iconUploads = h("div", { class: "stack" });
  const screenshotUploads = h("div", { class: "stack" });
  /** Screenshots on their way: they count against the cap before the item lists them. */
  let screenshotsSending = 0;
  let working = false;

  const inProgress = () => [item.icon, ...item.screenshots].some((image) => image && isInProgress(image.state));
  /** Loads the item again and shows it; answers whether an image is still being processed. */
  const refresh = async () => {
    const fresh = await unwrap(itemApi.$get({ param }));
    if (signal.aborted) return false;
    item = fresh;
    render();
    return inProgress();
  };
  const poller = backoffPoller({ signal, check: refresh });
  const refreshAndWatch = async () => {
    if (await refresh().catch(() => true)) poller.start();
  };

  /** Runs one change (reorder, delete) with the tab marked busy, then refreshes. */
  const change = async (what: string, action: () => Promise<void>) => {
    if (working) return;
    working = true;
    status.textContent = what;
    try {
      await action();
    } catch (err) {
      report(err);
    } finally {
      working = false;
      status.textContent = "";
      await refreshAndWatch();
    }
  };

  /** Sends `file` over tus as the item's icon or a screenshot; resolves once the server has stored and adopted it. */
  const send = async (role: Role, file: File, slot: HTMLElement) => {
    const problem = imageFileProblem(file);
    if (problem) throw new ImageProblem(problem);
    const sending = resumableUpload({
      // A resumed upload keeps the metadata it was created with: the role is part of what it is.
      scope: `item-image-${item.id}-${role}`,
      file,
      label: file.name,
      metadata: { kind: "item-image", item: item.slug, role, filename: file.name, filetype: file.type },
    });
    slot.append(sending.element);
    try {
      await sending.finished;
      await refreshAndWatch();
    } finally {
      sending.element.remove();
    }
  };

  const setIcon = async (files: File[]) => {
    try {
      await send("icon", files[0]!, iconUploads);
      toast("Icon updated.");
    } catch (err) {
      report(err);
      await refreshAndWatch();
    }
  };

  const addScreenshots = async (files: File[]) => {
    const room = MAX_SCREENSHOTS - item.screenshots.length - screenshotsSending;
    const taken = files.slice(0, Math.max(0, room));
    if (files.length > taken.length) toast(`Only ${MAX_SCREENSHOTS} screenshots fit: ${files.length - taken.length} not added.`, "error");
    if (taken.length === 0) return;
    screenshotsSending += taken.length;
    let added = 0;
    try {
      // One at a time, in the order chosen: that is the order they are listed in.
      for (const file of taken) {
        await send("screenshot", file, screenshotUploads);
        screenshotsSending--;
        added++;
      }
      toast(added === 1 ? "Screenshot added." : `${added} screenshots added.`);
    } catch (err) {
      report(err);
      await refreshAndWatch();
    } finally {
      screenshotsSending -= taken.length - added;
    }
  };

  const move = (from: number, to: number) =>
    change("Saving the order…", async () => {
      const order = [...item.screenshotUrls];
      const [moved] = order.splice(from, 1);
      order.splice(to, 0, moved!);
      await unwrap(itemApi.screenshots.$put({ param, json: { screenshotUrls: order } }));
      toast(`Screenshot ${from + 1} is now screenshot ${to + 1}.`);
    });

  const remove = (index: number) => {
    if (!confirm(`Delete screenshot ${index + 1}? It is removed from the storefront at once.`)) return;
    void change("Deleting…", async () => {
      await unwrap(itemApi.screenshots[":index"].$delete({ param: { ...param, index: String(index) } }));
      toast(`Screenshot ${index + 1} deleted.`);
    });
  };

  function render(): void {
    replace(
      iconSlot,
      item.icon
        ? mediaFigure(item.icon, { alt: `${item.name} icon`, width: 96, height: 96, class: "studio-icon" })
        : h("p", { class: "empty" }, "No icon yet: the storefront shows the item's initial."),
      canEdit &&
        fileDropZone({
          label: item.icon ? "Replace the icon" : "Upload an icon",
          hint: `Drop an image here or choose one. ${IMAGE_FILES_HINT}. Square works best.`,
          accept: IMAGE_ACCEPT,
          onFiles: (files) => void setIcon(files),
        }).element,
    );
    const count = item.screenshots.length;
    replace(
      screenshotsSlot,
      h("p", { class: "hint" }, `${count} of ${MAX_SCREENSHOTS}. The storefront shows them in this order, once each is ready.`),
      count === 0
        ? h("p", { class: "empty" }, "No screenshots yet.")
        : screenshotList(
            item.screenshotUrls.map((url, i) => ({ url, image: item.screenshots[i]! })),
            canEdit ? { move: (from, to) => void move(from, to), remove } : undefined,
          ),
      canEdit &&
        count < MAX_SCREENSHOTS &&
        fileDropZone({
          label: "Add screenshots",
          hint: `Drop images here or choose them. ${IMAGE_FILES_HINT}.`,
          accept: IMAGE_ACCEPT,
          multiple: true,
          onFiles: (files) => void addScreenshots(files),
        }).element,
    );
  }

  render();
  if (inProgress()) poller.start();
  return h(
    "div",
    { class: "stack" },
    !canEdit && h("p", { class: "hint" }, "Only admins and owners can change the media."),
    section("Icon", iconSlot, iconUploads),
    section("Screenshots", screenshotsSlot, screenshotUploads),
    status,
  );
}

interface ScreenshotActions {
  move(from: number, to: number): void;
  remove(index: number): void;
}

/** The screenshots in order, each with its state; with actions, each can be dragged onto another's place or moved with buttons. */
function screenshotList(shots: { url: string; image: MediaImageT }[], actions: ScreenshotActions | undefined): HTMLElement {
  const DRAG_TYPE = "application/x-plaza-screenshot";
  const button = (label: string, ariaLabel: string, onclick: () => void, disabled = false, danger = false): Child =>
    h("button", { type: "button", class: `button small${danger ? " danger" : ""}`, "aria-label": ariaLabel, onclick, disabled }, label);
  return h(
    "ol",
    { class: "screenshot-list", "aria-label": "Screenshots" },
    shots.map(({ url, image }, i) => {
      const n = i + 1;
      const li = h(
        "li",
        { class: "screenshot", draggable: actions ? "true" : undefined, "data-url": url },
        mediaFigure(image, { alt: `Screenshot ${n}`, width: 240, height: 150 }),
        actions &&
          h(
            "div",
            { class: "row-actions" },
            button("Move up", `Move screenshot ${n} up`, () => actions.move(i, i - 1), i === 0),
            button("Move down", `Move screenshot ${n} down`, () => actions.move(i, i + 1), i === shots.length - 1),
            button("Delete", `Delete screenshot ${n}`, () => actions.remove(i), false, true),
          ),
      );
      if (actions) {
        li.addEventListener("dragstart", (e) => e.dataTransfer?.setData(DRAG_TYPE, String(i)));
        li.addEventListener("dragover", (e) => {
          if (e.dataTransfer?.types.includes(DRAG_TYPE)) e.preventDefault();
        });
        li.addEventListener("drop", (e) => {
          const from = Number(e.dataTransfer?.getData(DRAG_TYPE));
          if (!e.dataTransfer?.types.includes(DRAG_TYPE) || !Number.isInteger(from)) return;
          e.preventDefault();
          if (from !== i) actions.move(from, i);
        });
      }
      return li;
    }),
  );
}

export const mediaTab: StudioTab = { id: "media", label: "Media", render: mediaTabContent };
