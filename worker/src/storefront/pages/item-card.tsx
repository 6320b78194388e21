import type { ItemT } from "../../../../shared/catalog";
import { formatCount, formatPrice, formatRating } from "../format";

export const itemPath = (slug: string) => `/items/${encodeURIComponent(slug)}`;
export const authorPath = (orgSlug: string) => `/authors/${encodeURIComponent(orgSlug)}`;

export function ItemIcon({ item, large }: { item: Pick<ItemT, "iconUrl">; large?: boolean }) {
  // Decorative: the item's name is always next to it.
  return item.iconUrl ? (
    <img class={large ? "icon large" : "icon"} src={item.iconUrl} alt="" width={large ? 96 : 48} height={large ? 96 : 48} />
  ) : (
    <span class={large ? "icon large" : "icon"} aria-hidden="true" />
  );
}

function ItemCard({ item }: { item: ItemT }) {
  return (
    <article class="card">
      <ItemIcon item={item} />
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
