/**
 * A processed image (item icons and screenshots) as the app shows it: its WebP variants once ready,
 * else a box that says where it is (Processing, Failed: <reason>).
 */
import type { MediaImageT, MediaState } from "../../../shared/media";
import { isShowable, mediaSrc, mediaSrcset } from "../../../shared/media-markup";
import { h } from "../dom";

/** States the server is still working on: a page showing one refreshes until it settles. */
export const isInProgress = (state: MediaState) => state === "pending" || state === "uploaded" || state === "processing";

/** The state in words: Uploading / Processing / Ready / Failed: <reason>. */
export function mediaStateText(image: Pick<MediaImageT, "state" | "failure">): string {
  if (image.state === "pending") return "Uploading";
  if (image.state === "ready") return "Ready";
  if (image.state === "failed") return `Failed: ${image.failure ?? "could not be processed"}`;
  return "Processing";
}

/** `<img>` of the variants at `width` × `height` CSS px; undefined when the image is not ready. */
export function mediaImg(
  image: MediaImageT,
  o: { alt: string; width: number; height: number; class?: string },
): HTMLImageElement | undefined {
  if (!isShowable(image)) return undefined;
  return h("img", {
    class: o.class,
    srcset: mediaSrcset(image),
    sizes: `${o.width}px`,
    src: mediaSrc(image, o.width),
    alt: o.alt,
    width: o.width,
    height: o.height,
    decoding: "async",
  });
}

/** The image once ready, else a placeholder box with its state; `data-state` says which for styles and tests. */
export function mediaFigure(image: MediaImageT, o: { alt: string; width: number; height: number; class?: string }): HTMLElement {
  const img = mediaImg(image, o);
  return h(
    "figure",
    { class: `media-figure${o.class ? ` ${o.class}` : ""}`, "data-state": image.state },
    img ?? h("div", { class: "media-placeholder", role: "img", "aria-label": `${o.alt}: ${mediaStateText(image)}` }),
    h("figcaption", { class: "media-state" }, mediaStateText(image)),
  );
}
