import type { ItemT } from "../../../../shared/catalog";
import { isShowable } from "../../../../shared/media-markup";
import { formatCount, formatPrice, formatRating } from "../format";
import { MediaImg } from "./media-image";

export const itemPath = (slug: string) => `/items/${encodeURIComponent(slug)}`;
export const authorPath = (orgSlug: string) => `/authors/${encodeURIComponent(orgSlug)}`;

/** The item's icon once processed; until then (or with none, or a failed one) a plain box. */
export function ItemIcon({ item, large, lazy }: { item: Pick<ItemT, "icon">; large?: boolean; lazy?: boolean }) {
  const size = large ? 96 : 48;
  const className = large ? "icon large" : "icon";
  // Decorative: the item's name is always next to it.
  return isShowable(item.icon) ? (
    <MediaImg image={item.icon} alt="" width={size} height={size} class={className} lazy={lazy} />
  ) : (
    <span class={className} aria-hidden="true" />
  );
}

function ItemCard({ item }: { item: ItemT }) {
  return (
    <article class="card">
      <ItemIcon item={item} lazy />
      <h3>
        <a href={itemPath(item.slug)}>{item.name}</a>
      </h3>
      <p class="muted">
        by <a href={authorPath(item.orgSlug)}>{item.orgName}</a>
      </p>
      <p>{item.summary}</p>
      <p class="meta">
        <span>{formatPrice(item.pricing)}</span>
        <span>{formatRating(item)}</span>
        <span>{formatCount(item.downloads)} downloads</span>
      </p>
    </article>
  );
}

export function ItemGrid({ items, empty }: { items: ItemT[]; empty: string }) {
  if (items.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul class="cards">
      {items.map((item) => (
        <li>
          <ItemCard item={item} />
        </li>
      ))}
    </ul>
  );
}
