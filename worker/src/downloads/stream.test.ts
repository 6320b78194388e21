import { describe, expect, it } from "vitest";
import { type Bundle, contentDisposition, notModified, resolveRange } from "./stream";

const bundle: Bundle = { sha256: "ab".repeat(32), size: 100, publishedAt: Date.UTC(2026, 0, 2, 3, 4, 5, 678) };
const etag = `"${bundle.sha256}"`;
const lastModified = new Date(bundle.publishedAt).toUTCString();
const h = (init: Record<string, string>) => new Headers(init);

describe("byte ranges", () => {
  it.each([
    ["bytes=0-9", { kind: "partial", range: { start: 0, end: 9 } }],
    ["bytes=90-", { kind: "partial", range: { start: 90, end: 99 } }],
    ["bytes=90-1000", { kind: "partial", range: { start: 90, end: 99 } }],
    ["bytes=-10", { kind: "partial", range: { start: 90, end: 99 } }],
    ["bytes=-1000", { kind: "partial", range: { start: 0, end: 99 } }],
    ["bytes=99-99", { kind: "partial", range: { start: 99, end: 99 } }],
    ["bytes=100-", { kind: "unsatisfiable" }],
    ["bytes=100-200", { kind: "unsatisfiable" }],
    ["bytes=-0", { kind: "unsatisfiable" }],
    // Ignored (the whole bundle): malformed, reversed, several ranges, other units.
    ["bytes=9-0", { kind: "full" }],
    ["bytes=-", { kind: "full" }],
    ["bytes=0-1,5-6", { kind: "full" }],
    ["items=0-1", { kind: "full" }],
    ["bytes=a-b", { kind: "full" }],
  ])("%s", (range, expected) => {
    expect(resolveRange(h({ range }), bundle)).toEqual(expected);
  });

  it("honours If-Range only while it names the current bundle", () => {
    const range = "bytes=0-9";
    expect(resolveRange(h({ range, "if-range": etag }), bundle).kind).toBe("partial");
    expect(resolveRange(h({ range, "if-range": lastModified }), bundle).kind).toBe("partial");
    for (const stale of [`"${"cd".repeat(32)}"`, `W/${etag}`, new Date(bundle.publishedAt - 1000).toUTCString(), "garbage"]) {
      expect(resolveRange(h({ range, "if-range": stale }), bundle)).toEqual({ kind: "full" });
    }
  });
});

describe("conditional requests", () => {
  it("If-None-Match matches the ETag weakly, in a list, or as *; it wins over If-Modified-Since", () => {
    for (const inm of [etag, `W/${etag}`, `"x", ${etag}`, "*"]) expect(notModified(h({ "if-none-match": inm }), bundle)).toBe(true);
    expect(notModified(h({ "if-none-match": '"other"' }), bundle)).toBe(false);
    expect(notModified(h({ "if-none-match": '"other"', "if-modified-since": lastModified }), bundle)).toBe(false);
  });

  it("If-Modified-Since compares whole seconds", () => {
    expect(notModified(h({ "if-modified-since": lastModified }), bundle)).toBe(true);
    expect(notModified(h({ "if-modified-since": new Date(bundle.publishedAt - 1000).toUTCString() }), bundle)).toBe(false);
    expect(notModified(h({ "if-modified-since": "not a date" }), bundle)).toBe(false);
    expect(notModified(h({}), bundle)).toBe(false);
  });
});

it("Content-Disposition quotes an ASCII name and carries the exact one in filename*", () => {
  expect(contentDisposition("ai-autocomplete-1.2.0-beta.1.tar.gz")).toBe(
    `attachment; filename="ai-autocomplete-1.2.0-beta.1.tar.gz"; filename*=UTF-8''ai-autocomplete-1.2.0-beta.1.tar.gz`,
  );
  expect(contentDisposition('a"b\\ü.tar.gz')).toBe(`attachment; filename="a_b__.tar.gz"; filename*=UTF-8''a%22b%5C%C3%BC.tar.gz`);
});
