/**
 * Item images go to the server as they are: it makes the WebP variants (128/512/1280 px, upright,
 * metadata stripped) from the original, so the browser does not downscale or re-encode them (that
 * would cost the large variant its resolution). Only what the API refuses anyway is caught here,
 * before any byte is sent: a type it does not take, or a file over its size limit.
 */
import { ITEM_IMAGE_MAX_BYTES, ITEM_IMAGE_TYPES } from "../../../../shared/catalog";
import { formatBytes } from "../../format";

/** What the file pickers offer. */
export const IMAGE_ACCEPT = ITEM_IMAGE_TYPES.join(",");

const TYPE_NAMES = ITEM_IMAGE_TYPES.map((type) => type.replace("image/", "").toUpperCase().replace("WEBP", "WebP")).join(", ");
/** What the drop zones' hints say is taken. */
export const IMAGE_FILES_HINT = `${TYPE_NAMES}, up to ${formatBytes(ITEM_IMAGE_MAX_BYTES)}; Plaza makes the sizes the storefront needs`;

/** Why `file` cannot be an item image, or undefined when it may be sent. */
export function imageFileProblem(file: File): string | undefined {
  if (!(ITEM_IMAGE_TYPES as readonly string[]).includes(file.type)) return `${file.name} is not an image Plaza takes (${TYPE_NAMES}).`;
  if (file.size > ITEM_IMAGE_MAX_BYTES)
    return `${file.name} is ${formatBytes(file.size)}: images may be at most ${formatBytes(ITEM_IMAGE_MAX_BYTES)}.`;
  return undefined;
}
