import { drizzle } from "drizzle-orm/d1";

export type Db = ReturnType<typeof build>;

/**
 * Without the schema: queries name their tables (`db.select().from(table)`), so a domain can only
 * query the tables it imports, which the boundary rules restrict to its own. (drizzle's relational
 * `db.query.<table>` API would reach every table by name.) db/schema.ts is drizzle-kit's.
 */
const build = (d1: D1Database) => drizzle(d1);

/** One drizzle instance per D1 binding, reused by every request of the isolate. */
const instances = new WeakMap<D1Database, Db>();

export function createDb(d1: D1Database): Db {
  let db = instances.get(d1);
  if (!db) {
    db = build(d1);
    instances.set(d1, db);
  }
  return db;
}
