import { and, ne, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { items } from "./tables";

/** True when a and b differ by at most one insertion, deletion or substitution. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  // After the first difference, the rest must match with one character skipped (or swapped).
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * Another org's published slug within one edit of `slug` (name squatting: `left-pad` vs
 * `leftpad`). Two slugs one edit apart share either their first or their last half, which lets
 * SQL narrow the candidates before the exact check.
 */
export async function findSquattedSlug(db: Db, slug: string, orgId: string): Promise<string | undefined> {
  const half = Math.floor((slug.length - 1) / 2);
  const prefix = slug.slice(0, half);
  const suffix = slug.slice(half + 1); // never empty: slugs have at least 2 characters
  const candidates = await db
    .select({ slug: items.slug })
    .from(items)
    .where(
      and(
        ne(items.orgId, orgId),
        sql`${items.status} = 'published'`,
        sql`length(${items.slug}) BETWEEN ${slug.length - 1} AND ${slug.length + 1}`,
        sql`(substr(${items.slug}, 1, ${prefix.length}) = ${prefix} OR substr(${items.slug}, ${-suffix.length}) = ${suffix})`,
      ),
    )
    .limit(1000);
  return candidates.find((c) => withinOneEdit(c.slug, slug))?.slug;
}
