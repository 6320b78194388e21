import type { ItemT } from "../../../../shared/catalog";
import { formatDate } from "../format";
import { ItemGrid } from "./item-card";
import { Layout } from "./layout";

export interface AuthorProps {
  org: { slug: string; name: string; createdAt: number };
  items: ItemT[];
}

export function AuthorPage({ org, items }: AuthorProps) {
  return (
    <Layout title={org.name} description={`Plugins and digital goods by ${org.name} on Plaza.`}>
      <h1>{org.name}</h1>
      <p class="muted">
        On Plaza since {formatDate(org.createdAt)} · {items.length} published item{items.length === 1 ? "" : "s"}
      </p>
      <section aria-label={`Items by ${org.name}`}>
        <ItemGrid items={items} empty={`${org.name} has not published anything yet.`} />
      </section>
    </Layout>
  );
}
