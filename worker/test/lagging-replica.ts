/**
 * A D1 binding with one read replica that lags, for proving read-your-writes locally (local D1 has
 * no replicas). The replica is a second database (`DB_REPLICA`) that `catchUp()` makes a copy of the
 * primary; it receives none of the writes after that. Sessions are routed as D1 routes them:
 * - `first-primary`, or a bookmark newer than the replica's position: the primary;
 * - `first-unconstrained` (or no constraint), or a bookmark the replica has reached: the replica;
 * - a write in a session on the replica goes to the primary, and the session stays there (a session
 *   is sequentially consistent: after its write it never reads an instance without it).
 * Bookmarks are the primary's own (Durable Object storage's `getCurrentBookmark()`); a session on the
 * replica reports the replica's position, captured when it caught up. `served` records where every
 * statement ran, so a test can tell a fresh answer from a lucky one.
 */
import { d1Reader, listTables, pagesOf, quoteIdent } from "../src/backups/dump";

type Instance = "primary" | "replica";

/** Statements that cannot write: everything else is a write, which only the primary takes. */
const readOnly = (sql: string) =>
  /^\s*(select|pragma|explain)\b/i.test(sql) || (/^\s*with\b/i.test(sql) && !/\b(insert|update|delete|replace)\b/i.test(sql));

/** A statement of the model: its SQL and parameters, run where its session says when it runs. */
class Statement {
  constructor(
    readonly session: Session,
    readonly sql: string,
    readonly params: unknown[] = [],
  ) {}
  bind(...values: unknown[]) {
    return new Statement(this.session, this.sql, values);
  }
  first(column?: string) {
    return this.session.run(this, (s) => (column === undefined ? s.first() : s.first(column)));
  }
  run() {
    return this.session.run(this, (s) => s.run());
  }
  all() {
    return this.session.run(this, (s) => s.all());
  }
  raw(options?: { columnNames?: boolean }) {
    return this.session.run(this, (s) => (options?.columnNames ? s.raw({ columnNames: true }) : s.raw()));
  }
}

class Session {
  constructor(
    private readonly replica: LaggingReplica,
    private on: Instance,
    /** The primary's session: its bookmark is what a session that reached the primary reports. */
    private readonly primary: D1DatabaseSession,
    private readonly startedFrom: string | null,
  ) {}

  private ranOnReplica = false;

  private target(sqls: string[]): D1Database | D1DatabaseSession {
    if (this.on === "replica" && sqls.some((sql) => !readOnly(sql))) this.on = "primary";
    this.replica.served.push(this.on);
    if (this.on === "replica") this.ranOnReplica = true;
    return this.on === "primary" ? this.primary : this.replica.replicaDb;
  }

  prepare(sql: string) {
    return new Statement(this, sql);
  }

  run<T>(statement: Statement, exec: (s: D1PreparedStatement) => Promise<T>): Promise<T> {
    const target = this.target([statement.sql]);
    return exec(target.prepare(statement.sql).bind(...statement.params));
  }

  batch(statements: Statement[]) {
    const target = this.target(statements.map((s) => s.sql));
    return target.batch(statements.map((s) => target.prepare(s.sql).bind(...s.params)));
  }

  getBookmark(): string | null {
    if (this.on === "primary") return this.primary.getBookmark();
    if (!this.ranOnReplica) return null;
    // The replica's position, or the bookmark the session started from if it is later (never worse).
    return (
      [this.replica.position, this.startedFrom]
        .filter((b): b is string => b !== null)
        .sort()
        .at(-1) ?? null
    );
  }
}

export class LaggingReplica {
  /** Where each statement ran, in order. */
  readonly served: Instance[] = [];
  /** The primary's bookmark when the replica last caught up. */
  position: string | null = null;

  constructor(
    readonly primaryDb: D1Database,
    readonly replicaDb: D1Database,
  ) {}

  /** The binding a Worker gets as `env.DB`. */
  get binding(): D1Database {
    const primary = this.primaryDb;
    return {
      prepare: (sql: string) => new Session(this, "primary", primary.withSession("first-primary"), null).prepare(sql),
      batch: (statements: Statement[]) => statements[0]!.session.batch(statements),
      exec: (sql: string) => primary.exec(sql),
      dump: () => primary.dump(),
      withSession: (constraintOrBookmark?: string) => this.session(constraintOrBookmark),
    } as unknown as D1Database;
  }

  private session(constraintOrBookmark = "first-unconstrained") {
    const primary = this.primaryDb.withSession("first-primary");
    if (constraintOrBookmark === "first-primary") return new Session(this, "primary", primary, null);
    if (constraintOrBookmark === "first-unconstrained") return new Session(this, "replica", primary, null);
    const fresh = this.position !== null && constraintOrBookmark <= this.position;
    return new Session(this, fresh ? "replica" : "primary", primary, constraintOrBookmark);
  }

  /** The primary's current bookmark (a read does not move it). */
  async primaryBookmark(): Promise<string> {
    const session = this.primaryDb.withSession("first-primary");
    await session.prepare("SELECT 1").first();
    const bookmark = session.getBookmark();
    if (!bookmark) throw new Error("local D1 gave no bookmark");
    return bookmark;
  }

  /** Makes the replica a copy of the primary as it is now (rows of every table, FTS rebuilt by its triggers). */
  async catchUp() {
    const tables = await listTables(d1Reader(this.primaryDb));
    const statements: D1PreparedStatement[] = [this.replicaDb.prepare("PRAGMA defer_foreign_keys = on")];
    for (const table of [...tables].reverse()) statements.push(this.replicaDb.prepare(`DELETE FROM ${quoteIdent(table.name)}`));
    for (const table of tables) {
      const columns = table.columns.map(quoteIdent).join(", ");
      for await (const page of pagesOf(d1Reader(this.primaryDb), table))
        for (const row of page)
          statements.push(this.replicaDb.prepare(`INSERT INTO ${quoteIdent(table.name)} (${columns}) VALUES (${row.join(", ")})`));
    }
    await this.replicaDb.batch(statements);
    this.position = await this.primaryBookmark();
  }
}
