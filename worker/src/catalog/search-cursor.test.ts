import { beforeAll, describe, expect, it } from "vitest";
import { insertItem } from "../../test/catalog-fixtures";
import { createOrg, createUser } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";

/** A cursor as a client could forge one, in the search's own encoding, from JSON text (so 1e300 stays a number literal). */
const forgedRaw = (json: string) => encodeURIComponent(btoa(json).replace(/=+$/, ""));

beforeAll(async () => {
  const orgId = (await createOrg(await createUser("cursor-author"))).id;
  for (let i = 0; i < 3; i++) await insertItem(orgId, { slug: `cursor-gadget-${i}`, name: `Cursor gadget ${i}`, downloads: i });
});

describe("search cursors are bounded before anything is bound into SQL", () => {
  it("a relevance cursor whose OFFSET would pass 64 bits (block 1e300) is a 400, not a 500", async () => {
    for (const raw of [
      '{"plan":"relevance","block":1e300,"index":0}',
      '{"plan":"relevance","block":1e300}',
      `{"plan":"relevance","block":${2 ** 63},"index":0}`,
      '{"plan":"relevance","block":0,"index":1e300}',
    ]) {
      const res = await call("GET", `/v1/search?q=gadget&cursor=${forgedRaw(raw)}`);
      expect([res.status, errorCode(res), Object.keys(res.body.error.fields ?? {})], raw).toEqual([
        400,
        "invalid_request",
        ["query.cursor"],
      ]);
    }
  });

  it("a keyed cursor with a key or seq outside the safe integers is a 400, not a 500", async () => {
    for (const raw of [
      '{"plan":"keyed","sort":"downloads","key":1e300,"seq":1}',
      '{"plan":"keyed","sort":"downloads","key":1,"seq":1e300}',
      '{"plan":"keyed","sort":"downloads","key":-1e300,"seq":-1e300}',
    ]) {
      const res = await call("GET", `/v1/search?sort=downloads&cursor=${forgedRaw(raw)}`);
      expect([res.status, errorCode(res), Object.keys(res.body.error.fields ?? {})], raw).toEqual([
        400,
        "invalid_request",
        ["query.cursor"],
      ]);
    }
  });

  it("the storefront's search page refuses the same cursor without a 500", async () => {
    const res = await call("GET", `/search?q=gadget&cursor=${forgedRaw('{"plan":"relevance","block":1e300,"index":0}')}`);
    expect(res.status).toBeLessThan(500);
  });

  it("the cursors search hands out still page through every result", async () => {
    const first = await call("GET", "/v1/search?sort=downloads&q=gadget&limit=2");
    expect(first.status).toBe(200);
    const second = await call("GET", `/v1/search?sort=downloads&q=gadget&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect([...first.body.data, ...second.body.data].map((i: { slug: string }) => i.slug)).toEqual([
      "cursor-gadget-2",
      "cursor-gadget-1",
      "cursor-gadget-0",
    ]);
    const relevance = await call("GET", "/v1/search?q=gadget&limit=1");
    const next = await call("GET", `/v1/search?q=gadget&limit=1&cursor=${encodeURIComponent(relevance.body.nextCursor)}`);
    expect([relevance.status, next.status, next.body.data.length]).toEqual([200, 200, 1]);
  });
});
