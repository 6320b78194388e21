/** Media: every file people upload and see (item icons and screenshots, project assets), and its processed images. */
import { z } from "zod";

/** `pending` (a resumable upload was created) → `uploaded` (all bytes stored and checked) → `processing` → `ready` | `failed`. */
export const MEDIA_STATES = ["pending", "uploaded", "processing", "ready", "failed"] as const;
export type MediaState = (typeof MEDIA_STATES)[number];

export const MEDIA_PURPOSES = ["item-icon", "item-screenshot", "project-asset"] as const;
export type MediaPurpose = (typeof MEDIA_PURPOSES)[number];

/** Widths of the WebP variants made of each image (those not wider than the image itself). */
export const MEDIA_VARIANT_WIDTHS = [128, 512, 1280] as const;

/** One processed size of an image: `url` is the image's own URL with `?w=<width>`. */
export const MediaVariant = z.object({ width: z.number().int(), height: z.number().int(), url: z.string() }).meta({ id: "MediaVariant" });
export type MediaVariantT = z.infer<typeof MediaVariant>;

export const MediaImage = z
  .object({
    /** The image's identity (`/media/<key>`): serves its largest variant once `ready`. */
    url: z.string(),
    state: z.enum(MEDIA_STATES),
    /** Why it is `failed`, in words for its author; null otherwise. */
    failure: z.string().nullable(),
    /** Upright (EXIF orientation applied); null until processed. */
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    /** A 16 px wide WebP as a `data:` URL, shown blurred while the image loads. */
    placeholder: z.string().nullable(),
    variants: z.array(MediaVariant),
  })
  .meta({ id: "MediaImage" });
export type MediaImageT = z.infer<typeof MediaImage>;
