import type { MediaImageT } from "../../../../shared/media";
import { isShowable, mediaSrc, mediaSrcset } from "../../../../shared/media-markup";

export interface MediaImgProps {
  image: MediaImageT | null | undefined;
  alt: string;
  /** The displayed size in CSS px: the width/height attributes (no layout shift) and `sizes`. */
  width: number;
  height: number;
  class: string;
  /** Below the fold: fetched when scrolled near. */
  lazy?: boolean;
}

/**
 * A processed image: its WebP variants as `srcset`, over its tiny placeholder (a `data:` WebP, blurred by
 * CSS) that shows until the image has loaded. The placeholder is an `<img>` under it, not a style
 * attribute: the storefront's CSP allows no inline style. Nothing for an image that is not ready.
 */
export function MediaImg({ image, alt, width, height, class: className, lazy }: MediaImgProps) {
  if (!isShowable(image)) return null;
  return (
    <span class="media">
      {image.placeholder && <img class="placeholder" src={image.placeholder} alt="" aria-hidden="true" width={width} height={height} />}
      <img
        class={className}
        srcset={mediaSrcset(image)}
        sizes={`${width}px`}
        src={mediaSrc(image, width)}
        alt={alt}
        width={width}
        height={height}
        loading={lazy ? "lazy" : undefined}
        decoding="async"
      />
    </span>
  );
}
