import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../app";
import type { Env } from "../env";
import { addD1Meta, type D1Usage, meteredD1 } from "./d1-meter";

const fresh = (): D1Usage => ({ rowsRead: 0, rowsWritten: 0, queries: 0 });

describe("D1 meter (BENCH=1's x-d1-rows-read / x-d1-rows-written)", () => {
  it("counts rows read and written by every API of the binding, sessions included", async () => {
    const usage = fresh();
    const db = meteredD1(env.DB, usage);
    if (!db) throw new Error("env.DB is not workerd's D1 binding");
    const table = `meter_${crypto.randomUUID().replaceAll("-", "")}`;
    await db.prepare(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, v TEXT)`).run();
    const before = { ...usage };
    await db.batch([1, 2, 3].map((id) => db.prepare(`INSERT INTO ${table} (id, v) VALUES (?, 'x')`).bind(id)));
    expect(usage.rowsWritten - before.rowsWritten).toBeGreaterThanOrEqual(3);
    expect(usage.queries - before.queries).toBe(1); // a batch is one round trip

    const reads = usage.rowsRead;
    expect(await db.prepare(`SELECT id, v FROM ${table} ORDER BY id`).raw()).toEqual([
      [1, "x"],
      [2, "x"],
      [3, "x"],
    ]);
    expect(usage.rowsRead - reads).toBeGreaterThanOrEqual(3);

    const session = db.withSession("first-unconstrained");
    const inSession = usage.rowsRead;
    expect(await session.prepare(`SELECT count(*) AS n FROM ${table}`).first("n")).toBe(3);
    expect(usage.rowsRead - inSession).toBeGreaterThanOrEqual(3);
    const written = usage.rowsWritten;
    await session.prepare(`UPDATE ${table} SET v = 'y' WHERE id = 2`).run();
    expect(usage.rowsWritten - written).toBeGreaterThanOrEqual(1);
    await db.prepare(`DROP TABLE ${table}`).run();
  });

  it("adds each statement's meta of a batch answer and skips answers without one", () => {
    const usage = fresh();
    addD1Meta(usage, [{ meta: { rows_read: 2, rows_written: 1 } }, { meta: { rows_read: 5, rows_written: 0 } }]);
    addD1Meta(usage, { meta: { rows_read: 1 } });
    addD1Meta(usage, { error: "no meta" });
    addD1Meta(usage, null);
    expect(usage).toEqual({ rowsRead: 8, rowsWritten: 1, queries: 0 });
  });

  async function get(path: string, extraEnv: Partial<Env>, headers: Record<string, string> = { "x-bench-d1-meter": "1" }) {
    const ctx = createExecutionContext();
    const res = await createApp().fetch(new Request(`http://plaza.test${path}`, { headers }), { ...env, ...extraEnv } as Env, ctx);
    await res.arrayBuffer();
    await waitOnExecutionContext(ctx);
    return res;
  }

  it("sends the request's totals with BENCH=1 to a request that asks, only", async () => {
    const measured = await get("/v1/search?q=plugin&limit=5", { BENCH: "1" });
    expect(measured.status).toBe(200);
    expect(Number(measured.headers.get("x-d1-queries"))).toBeGreaterThanOrEqual(1);
    expect(Number(measured.headers.get("x-d1-rows-read"))).toBeGreaterThanOrEqual(0);
    expect(measured.headers.get("x-d1-rows-written")).toBe("0");

    const bare = await get("/__bench/bare", { BENCH: "1" });
    expect(bare.headers.get("x-d1-queries")).toBe("0");

    // Another query: the first answer is in the edge cache now (with the search route's own header).
    const plain = await get("/v1/search?q=theme&limit=5", { BENCH: undefined });
    expect(plain.status).toBe(200);
    for (const name of ["x-d1-rows-read", "x-d1-rows-written", "x-d1-queries"]) expect(plain.headers.get(name)).toBeNull();
    const notAsked = await get("/__bench/bare", { BENCH: "1" }, {});
    expect(notAsked.status).toBe(200);
    expect(notAsked.headers.get("x-d1-queries")).toBeNull();
  });
});
