import { beforeAll, describe, expect, it } from "vitest";
import { createOrg, createUser, type TestUser } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { decodeCursor, encodeCursor } from "./keyset";

let user: TestUser;
let orgId: string;
beforeAll(async () => {
  user = await createUser("keyset");
  orgId = (await createOrg(user)).id;
});

/** Cursors a client could forge in the keyset's own encoding, base64 of `createdAt:id`. */
const FORGED = [
  `${"9".repeat(400)}:aud_aaaaaaaaaaaaaaaaaaaa`,
  "99999999999999999999:aud_aaaaaaaaaaaaaaaaaaaa",
  "9007199254740993:aud_aaaaaaaaaaaaaaaaaaaa",
  `1:${"x".repeat(140)}`,
  "1:a:b",
  "1:😀",
].map((text) => btoa(String.fromCharCode(...new TextEncoder().encode(text))));

describe("keyset cursors", () => {
  it("round-trip a position", () => {
    const position = { createdAt: 1_796_000_000_000, id: "ord_abcdefghijklmnopqrst" };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it("refuse a time past the safe integers or an id that is not one, before SQL sees it", () => {
    for (const cursor of FORGED) expect(() => decodeCursor(cursor), atob(cursor)).toThrow(/cursor/);
  });

  it("forged cursors are a 400 on query.cursor in every list that pages with them", async () => {
    const lists = [
      `/v1/orgs/${orgId}/audit-log`,
      "/v1/me/orders",
      "/v1/me/entitlements",
      `/v1/orgs/${orgId}/orders`,
      `/v1/orgs/${orgId}/projects`,
    ];
    for (const list of lists) {
      for (const cursor of FORGED) {
        const res = await call("GET", `${list}?cursor=${encodeURIComponent(cursor)}`, { token: user.accessToken });
        expect([res.status, errorCode(res), Object.keys(res.body.error.fields ?? {})], `${list} ${atob(cursor)}`).toEqual([
          400,
          "invalid_request",
          ["query.cursor"],
        ]);
      }
    }
  });
});
