/**
 * Item images are fitted in the browser before upload: a 12 MP photo becomes an image of at most
 * `maxEdge` pixels on its long side (aspect kept), re-encoded as WebP (PNG where the browser
 * cannot encode WebP), so it is small to send and within the API's limits.
 */
import { ITEM_IMAGE_MAX_BYTES, ITEM_IMAGE_TYPES } from "../../../../shared/catalog";
import { formatBytes } from "../../format";

export const ICON_MAX_EDGE = 512;
export const SCREENSHOT_MAX_EDGE = 1920;
/** What the file pickers offer; anything else a browser decodes is accepted too, then re-encoded. */
export const IMAGE_ACCEPT = ITEM_IMAGE_TYPES.join(",");

/** WebP qualities tried in turn until the image fits the API's byte limit. */
const QUALITIES = [0.9, 0.8, 0.65];

export class ImageProblem extends Error {}

const isAccepted = (type: string) => (ITEM_IMAGE_TYPES as readonly string[]).includes(type);

/** The image to upload for `file`: the file itself when it already fits, else a downscaled WebP/PNG. */
export async function fitImage(file: Blob & { name?: string }, maxEdge: number): Promise<{ blob: Blob; width: number; height: number }> {
  const label = file.name ?? "The image";
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new ImageProblem(`${label} is not an image this browser can read. Use PNG, JPEG or WebP.`);
  }
  try {
    const scale = Math.min(1, maxEdge / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    if (scale === 1 && isAccepted(file.type) && file.size <= ITEM_IMAGE_MAX_BYTES) return { blob: file, width, height };

    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d");
    if (!context) throw new ImageProblem("This browser cannot resize images.");
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, width, height);
    for (const quality of QUALITIES) {
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/webp", quality));
      // A browser without a WebP encoder answers PNG, which the API takes as well.
      if (blob && isAccepted(blob.type) && blob.size <= ITEM_IMAGE_MAX_BYTES) return { blob, width, height };
      if (blob?.type !== "image/webp") break;
    }
    throw new ImageProblem(`${label} is still over ${formatBytes(ITEM_IMAGE_MAX_BYTES)} once resized. Try a simpler image.`);
  } finally {
    bitmap.close();
  }
}
