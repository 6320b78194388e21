/// <reference types="vite/client" />
/**
 * The table of D1 sessions per route (http/d1-sessions.ts): every registered route resolves to a
 * mode, every write to the primary, no rule is dead, README shows the table as it is, and the
 * bookmark helpers keep their promises. Read-your-writes itself: d1-read-your-writes.test.ts.
 */
import { describe, expect, it } from "vitest";
import readme from "../../../README.md?raw";
import { call } from "../../test/http";
import { createApp } from "../app";
import {
  bookmarkCookie,
  D1_SESSION_MODES,
  D1_SESSION_RULES,
  D1_SESSIONS_DOC_END,
  D1_SESSIONS_DOC_START,
  d1SessionMode,
  d1SessionRule,
  d1SessionsDoc,
  incomingBookmark,
  READ_METHODS,
  sessionStart,
} from "./d1-sessions";

/** Every method + path the app registers (`ALL` entries are middleware, not routes). */
const routes = [
  ...new Set(
    createApp()
      .routes.filter((r) => r.method !== "ALL")
      .map((r) => `${r.method} ${r.path}`),
  ),
]
  .sort()
  .map((key) => {
    const [method, path] = key.split(" ") as [string, string];
    // A registered pattern stands for the paths it matches: fill each parameter with a sample segment.
    return {
      key,
      method,
      path: path
        .replace(/:[A-Za-z]+\{\.\+\}/g, "a/b")
        .replace(/:[A-Za-z]+/g, "x1")
        .replace(/\*$/, "any/thing"),
    };
  });

const lastRead = D1_SESSION_RULES.findLast((rule) => rule.methods === "reads")!;

describe("the table", () => {
  it("knows the app's routes (the list is not empty)", () => {
    expect(routes.length).toBeGreaterThan(100);
  });

  it("every registered route resolves to a mode; every route but GET/HEAD/OPTIONS to the primary", () => {
    for (const route of routes) {
      const mode = d1SessionMode(route.method, route.path);
      expect(D1_SESSION_MODES, route.key).toContain(mode);
      if (!(READ_METHODS as readonly string[]).includes(route.method)) expect(mode, route.key).toBe("primary");
    }
  });

  it("every registered read has a rule of its own: the last catch-all is for the web app's shell (unregistered paths)", () => {
    const fallingThrough = routes.filter((route) => route.method === "GET" && d1SessionRule(route.method, route.path) === lastRead);
    expect(fallingThrough.map((route) => route.key)).toEqual([]);
  });

  it("no rule is dead: each matches a registered route, except the catch-alls", () => {
    const used = new Set(routes.map((route) => d1SessionRule(route.method, route.path)));
    const dead = D1_SESSION_RULES.filter((rule) => !used.has(rule) && rule.path !== "/*").map((rule) => `${rule.methods} ${rule.path}`);
    expect(dead).toEqual([]);
  });

  it("decides by method first: a POST to a public path still starts at the primary", () => {
    expect(d1SessionMode("POST", "/v1/search")).toBe("primary");
    expect(d1SessionMode("GET", "/v1/search")).toBe("unconstrained");
    expect(d1SessionMode("HEAD", "/v1/orgs/org_1/members")).toBe("own-writes");
    expect(d1SessionMode("GET", "/v1/items/a-slug/reviews/mine")).toBe("own-writes");
    expect(d1SessionMode("GET", "/app/dashboard")).toBe("unconstrained");
  });

  it("README shows the table as the code has it (npm run docs:d1-sessions)", () => {
    const block = readme.slice(readme.indexOf(D1_SESSIONS_DOC_START), readme.indexOf(D1_SESSIONS_DOC_END) + D1_SESSIONS_DOC_END.length);
    expect(block).toBe(d1SessionsDoc());
  });

  it("the API description documents the bookmark header", async () => {
    const spec = await call("GET", "/openapi.json");
    expect(spec.body.components.parameters.D1Bookmark).toMatchObject({ name: "x-plaza-d1-bookmark", in: "header", required: false });
    expect(spec.body.components.headers.D1Bookmark).toBeDefined();
  });
});

describe("bookmarks", () => {
  const older = "00000000-0000003b-00000000-00000000000000000000000000000000";
  const newer = "00000000-0000003c-00000000-00000000000000000000000000000000";

  it("the later of header and cookie wins; a malformed one is ignored", () => {
    expect(incomingBookmark(older, newer)).toBe(newer);
    expect(incomingBookmark(newer, older)).toBe(newer);
    expect(incomingBookmark("garbage", older)).toBe(older);
    expect(incomingBookmark(newer, "x".repeat(1000))).toBe(newer);
    expect(incomingBookmark(`${newer}x`, undefined)).toBeUndefined();
    expect(incomingBookmark(undefined, undefined)).toBeUndefined();
  });

  it("the primary ignores bookmarks; the other modes start from one when they have it", () => {
    expect(sessionStart("primary", newer)).toBe("first-primary");
    expect(sessionStart("own-writes", newer)).toBe(newer);
    expect(sessionStart("unconstrained", newer)).toBe(newer);
    expect(sessionStart("own-writes", undefined)).toBe("first-unconstrained");
  });

  it("the cookie is Secure except on a plain-http localhost APP_URL", () => {
    expect(bookmarkCookie(newer, "https://plaza.example")).toMatch(/; Secure/);
    expect(bookmarkCookie(newer, "http://localhost:8787")).not.toMatch(/Secure/);
    expect(bookmarkCookie(newer, "http://127.0.0.1:8787")).not.toMatch(/Secure/);
    expect(bookmarkCookie(newer, "http://localhost.evil.example")).toMatch(/; Secure/);
  });
});
