import { type SQL, sql } from "drizzle-orm";

/**
 * A scalar or EXISTS subquery for another query's fields or conditions. Nested once more on
 * purpose: drizzle writes a single-table select's field columns without their table name, which
 * would bind a correlated outer column (`items.org_id`) to the subquery's own table; columns of a
 * nested SQL keep their table name.
 */
export const subquery = <T = unknown>(query: SQL): SQL<T> => sql<T>`${query}`;
