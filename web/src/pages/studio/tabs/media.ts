/**
 * The Media tab: the item's icon and up to eight screenshots, as the storefront shows them. Admins
 * add images by dropping files or choosing them (each fitted in the browser first, see
 * media-images.ts), reorder screenshots by dragging or with Move up/down, and delete them.
 */
import { MAX_SCREENSHOTS } from "../../../../../shared/catalog";
import { api } from "../../../api/client";
import { asApiError } from "../../../api/errors";
import { unwrap } from "../../../api/unwrap";
import { type Child, h } from "../../../dom";
import { describeError } from "../../../ui/messages";
import { section } from "../../../ui/page";
import { toast } from "../../../ui/toast";
import { fileDropZone } from "../media-drop-zone";
import { fitImage, ICON_MAX_EDGE, IMAGE_ACCEPT, ImageProblem, SCREENSHOT_MAX_EDGE } from "../media-images";
import type { StudioTab, StudioTabContext } from "../tabs";

/** Shows what failed; the tab then reloads, so it shows what was stored. */
const report = (err: unknown) => toast(err instanceof ImageProblem ? err.message : describeError(asApiError(err)), "error");

function mediaTabContent(ctx: StudioTabContext): Node {
  const { orgId, item, canEdit } = ctx;
  const param = { orgId, itemId: item.id };
  const itemApi = api.v1.orgs[":orgId"].items[":itemId"];
  const status = h("p", { class: "media-status", role: "status" });
  let working = false;

  /** Runs one change with the tab marked busy, then reloads the item (and so this tab). */
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
      await ctx.reload();
    }
  };

  const sendImage = (kind: "icon" | "screenshot", blob: Blob) => {
    const body = { headers: { "content-type": blob.type }, init: { body: blob } };
    return kind === "icon" ? unwrap(itemApi.icon.$put({ param }, body)) : unwrap(itemApi.screenshots.$post({ param }, body));
  };

  const setIcon = (files: File[]) =>
    change("Uploading the icon…", async () => {
      const { blob } = await fitImage(files[0]!, ICON_MAX_EDGE);
      await sendImage("icon", blob);
      toast("Icon updated.");
    });

  const addScreenshots = (files: File[]) => {
    const room = MAX_SCREENSHOTS - item.screenshotUrls.length;
    const taken = files.slice(0, room);
    if (files.length > room) toast(`Only ${MAX_SCREENSHOTS} screenshots fit: ${files.length - room} not added.`, "error");
    return change(`Uploading ${taken.length === 1 ? "the screenshot" : `${taken.length} screenshots`}…`, async () => {
      // One at a time, in the order chosen: that is the order they are listed in.
      for (const [i, file] of taken.entries()) {
        status.textContent = `Uploading screenshot ${i + 1} of ${taken.length}…`;
        await sendImage("screenshot", (await fitImage(file, SCREENSHOT_MAX_EDGE)).blob);
      }
      toast(taken.length === 1 ? "Screenshot added." : `${taken.length} screenshots added.`);
    });
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

  const icon = section(
    "Icon",
    item.iconUrl
      ? h("img", { class: "studio-icon", src: item.iconUrl, alt: `${item.name} icon`, width: 96, height: 96 })
      : h("p", { class: "empty" }, "No icon yet: the storefront shows the item's initial."),
    canEdit &&
      fileDropZone({
        label: item.iconUrl ? "Replace the icon" : "Upload an icon",
        hint: `Drop an image here or choose one. PNG, JPEG or WebP; resized to at most ${ICON_MAX_EDGE} px. Square works best.`,
        accept: IMAGE_ACCEPT,
        onFiles: (files) => void setIcon(files),
      }).element,
  );

  const screenshots = section(
    "Screenshots",
    h("p", { class: "hint" }, `${item.screenshotUrls.length} of ${MAX_SCREENSHOTS}. The storefront shows them in this order.`),
    item.screenshotUrls.length === 0
      ? h("p", { class: "empty" }, "No screenshots yet.")
      : screenshotList(item.screenshotUrls, canEdit ? { move: (from, to) => void move(from, to), remove } : undefined),
    canEdit &&
      item.screenshotUrls.length < MAX_SCREENSHOTS &&
      fileDropZone({
        label: "Add screenshots",
        hint: `Drop images here or choose them. PNG, JPEG or WebP; resized to at most ${SCREENSHOT_MAX_EDGE} px on the long side.`,
        accept: IMAGE_ACCEPT,
        multiple: true,
        onFiles: (files) => void addScreenshots(files),
      }).element,
  );

  return h(
    "div",
    { class: "stack" },
    !canEdit && h("p", { class: "hint" }, "Only admins and owners can change the media."),
    icon,
    screenshots,
    status,
  );
}

interface ScreenshotActions {
  move(from: number, to: number): void;
  remove(index: number): void;
}

/** The screenshots in order; with actions, each can be dragged onto another's place or moved with buttons. */
function screenshotList(urls: string[], actions: ScreenshotActions | undefined): HTMLElement {
  const DRAG_TYPE = "application/x-plaza-screenshot";
  const button = (label: string, ariaLabel: string, onclick: () => void, disabled = false, danger = false): Child =>
    h("button", { type: "button", class: `button small${danger ? " danger" : ""}`, "aria-label": ariaLabel, onclick, disabled }, label);
  return h(
    "ol",
    { class: "screenshot-list", "aria-label": "Screenshots" },
    urls.map((url, i) => {
      const n = i + 1;
      const li = h(
        "li",
        { class: "screenshot", draggable: actions ? "true" : undefined, "data-url": url },
        h("img", { src: url, alt: `Screenshot ${n}`, loading: "lazy" }),
        actions &&
          h(
            "div",
            { class: "row-actions" },
            button("Move up", `Move screenshot ${n} up`, () => actions.move(i, i - 1), i === 0),
            button("Move down", `Move screenshot ${n} down`, () => actions.move(i, i + 1), i === urls.length - 1),
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
