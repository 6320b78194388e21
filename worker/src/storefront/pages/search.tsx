import { CATEGORIES, type ItemT, type SearchQueryT, type SORTS } from "../../../../shared/catalog";
import { ItemGrid } from "./item-card";
import { Layout } from "./layout";

const SORT_LABELS: Record<(typeof SORTS)[number], string> = {
  relevance: "Best match",
  rating: "Top rated",
  downloads: "Most downloaded",
  newest: "Newest",
};
const PRICE_LABELS = { free: "Free", paid: "Paid" } as const;
const categoryLabel = (c: string) => c.charAt(0).toUpperCase() + c.slice(1).replace(/-/g, " ");

export interface SearchProps {
  query: SearchQueryT;
  results: ItemT[];
  /** The next page's URL, or null on the last page. */
  nextHref: string | null;
}

function Select({ name, label, value, options }: { name: string; label: string; value: string | undefined; options: [string, string][] }) {
  return (
    <label>
      {label}
      <select name={name}>
        {options.map(([v, text]) => (
          <option value={v} selected={(value ?? "") === v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A GET form: filters apply on submit, so everything works without JavaScript. Empty fields are ignored. */
function Filters({ query }: { query: SearchQueryT }) {
  return (
    <form action="/search" method="get" class="filters" aria-label="Search filters">
      <label>
        Search
        <input type="search" name="q" value={query.q ?? ""} maxlength={200} />
      </label>
      <Select
        name="category"
        label="Category"
        value={query.category}
        options={[["", "Any"], ...CATEGORIES.map((c): [string, string] => [c, categoryLabel(c)])]}
      />
      <Select name="price" label="Price" value={query.price} options={[["", "Any"], ...Object.entries(PRICE_LABELS)]} />
      <Select name="sort" label="Sort by" value={query.sort} options={[["", "Default"], ...Object.entries(SORT_LABELS)]} />
      <label>
        Tag
        <input type="text" name="tag" value={query.tag ?? ""} maxlength={30} size={12} />
      </label>
      <label>
        Engine version
        <input type="text" name="engine" value={query.engine ?? ""} placeholder="e.g. 1.4.0" size={10} />
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}

export function SearchPage({ query, results, nextHref }: SearchProps) {
  const heading = query.q ? `Results for “${query.q}”` : "Browse plugins";
  return (
    <Layout
      title={query.q ? `${query.q} — search` : "Browse"}
      description={query.q ? `Plaza items matching ${query.q}.` : "Browse Plaza's plugins and digital goods."}
      query={query.q}
    >
      <h1>{heading}</h1>
      <Filters query={query} />
      <section aria-label="Results">
        <ItemGrid items={results} empty="No items match. Try fewer words or other filters." />
      </section>
      {nextHref && (
        <p class="pager">
          <a href={nextHref} rel="next">
            Next page
          </a>
        </p>
      )}
    </Layout>
  );
}
