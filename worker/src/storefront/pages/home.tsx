import type { ItemT } from "../../../../shared/catalog";
import { ItemGrid } from "./item-card";
import { Layout } from "./layout";

export interface HomeProps {
  featured: ItemT[];
  newest: ItemT[];
  topRated: ItemT[];
}

export function HomePage({ featured, newest, topRated }: HomeProps) {
  return (
    <Layout title="Plaza" description="Discover plugins and digital goods for Plaza: featured, new and top rated.">
      <h1>Find plugins for your projects</h1>
      <search aria-label="Search the catalog">
        <form action="/search" method="get" class="filters">
          <label>
            Search
            <input type="search" name="q" maxlength={200} placeholder="e.g. markdown" />
          </label>
          <button type="submit">Search</button>
          <a href="/search?sort=newest">Browse everything</a>
        </form>
      </search>
      <section aria-labelledby="featured">
        <h2 id="featured">Featured</h2>
        <ItemGrid items={featured} empty="Nothing published yet." />
      </section>
      <section aria-labelledby="new">
        <h2 id="new">New</h2>
        <ItemGrid items={newest} empty="Nothing published yet." />
        <p>
          <a href="/search?sort=newest">More new items</a>
        </p>
      </section>
      <section aria-labelledby="top-rated">
        <h2 id="top-rated">Top rated</h2>
        <ItemGrid items={topRated} empty="Nothing published yet." />
        <p>
          <a href="/search?sort=rating">More top rated items</a>
        </p>
      </section>
    </Layout>
  );
}
