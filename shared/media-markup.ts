/** How pages show a processed image (shared by the storefront's HTML and the web app): its variants as `srcset`. */
import type { MediaImageT } from "./media";

/** Shown only once `ready`: before that its variants do not exist, and a failed one never will. */
export const isShowable = (image: MediaImageT | null | undefined): image is MediaImageT =>
  image?.state === "ready" && image.variants.length > 0;

/** `/media/<key>?w=128 128w, /media/<key>?w=512 512w, …`: the browser picks by the displayed size and pixel density. */
export const mediaSrcset = (image: MediaImageT) => image.variants.map((v) => `${v.url} ${v.width}w`).join(", ");

/** For browsers without `srcset`: the smallest variant at least `width` px wide, else the largest. */
export function mediaSrc(image: MediaImageT, width: number): string {
  const bySize = [...image.variants].sort((a, b) => a.width - b.width);
  return (bySize.find((v) => v.width >= width) ?? bySize.at(-1))?.url ?? image.url;
}

/** The box an image fills when it is at most `maxHeight` px tall and keeps its aspect (its own size if smaller). */
export function fitHeight(image: MediaImageT, maxHeight: number): { width: number; height: number } {
  const width = image.width ?? maxHeight;
  const height = image.height ?? maxHeight;
  const scale = Math.min(1, maxHeight / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
