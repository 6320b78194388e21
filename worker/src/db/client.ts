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

/**
 * A D1 binding whose statements run in `session` (read replicas, sequentially consistent with the
 * session's bookmark), for code that takes `env.DB`. `exec` and `dump` have no session form and run
 * at the primary; `withSession` starts another session as the binding would.
 */
export function sessionBinding(primary: D1Database, session: D1DatabaseSession): D1Database {
  return {
    prepare: (query) => session.prepare(query),
    batch: (statements) => session.batch(statements),
    exec: (query) => primary.exec(query),
    withSession: (constraintOrBookmark) => primary.withSession(constraintOrBookmark),
    dump: () => primary.dump(),
  };
}

/** Drizzle over a request's session: one per request (the per-binding cache above would only grow). */
export const createSessionDb = (binding: D1Database): Db => build(binding);
