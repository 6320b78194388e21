import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { call } from "../../test/http";
import worker from "../index";
import { roomsSocketOrigin, webAppSources } from "../web-app/routes";
import { SCALAR_SCRIPT_PATH } from "./api-docs";

const page = (path: string, headers?: Record<string, string>) => call<string>("GET", path, { headers });

/** The CSP as directive → sources. */
function policy(res: { headers: Headers }): Record<string, string[]> {
  const csp = res.headers.get("content-security-policy");
  if (!csp) throw new Error("no Content-Security-Policy");
  return Object.fromEntries(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...sources]) => [name!, sources]),
  );
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
const inlineText = (html: string, tag: "script" | "style") =>
  [...html.matchAll(new RegExp(`<${tag}(?![^>]*\\bsrc=)[^>]*>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => m[1]!);

describe("HTML responses", () => {
  it.each([
    ["the storefront", "/"],
    ["a search", "/search?q=tables"],
    ["an error page", "/items/no-such-item"],
    ["a checkout page", "/checkout/cancel"],
    ["the dev mailbox", "/dev/mailbox"],
    ["the API reference", "/docs"],
  ])("%s (%s) is never framed, sniffed or sent with a referrer, and reports violations", async (_, path) => {
    const res = await page(path);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = policy(res);
    expect(csp["frame-ancestors"]).toEqual(["'none'"]);
    expect(csp["object-src"]).toEqual(["'none'"]);
    expect(csp["base-uri"]).toEqual(["'none'"]);
    expect(csp["report-uri"]).toEqual(["/v1/csp-reports"]);
    expect(res.headers.get("content-security-policy")).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("storefront pages run no script and allow exactly their own stylesheet, from the cache too", async () => {
    const first = await page("/");
    const [css] = inlineText(first.body, "style");
    expect(policy(first)["default-src"]).toEqual(["'none'"]);
    expect(policy(first)["style-src"]).toEqual([sha256(css!)]);
    expect(policy(first)["script-src"]).toBeUndefined();
    // A revalidation (304 from the edge cache) is sent with the same policy.
    const again = await page("/", { "if-none-match": first.headers.get("etag")! });
    expect(again.status).toBe(304);
    expect(again.headers.get("content-security-policy")).toBe(first.headers.get("content-security-policy"));
  });

  it("the API reference loads Scalar's script from this origin and allows its inline start-up script, by hash", async () => {
    const res = await page("/docs");
    const scripts = inlineText(res.body, "script");
    expect(scripts).toHaveLength(1);
    expect(SCALAR_SCRIPT_PATH).toMatch(/^\/assets\/vendor\/scalar-api-reference-\d+\.\d+\.\d+\.js$/);
    expect(res.body).toContain(`<script src="${SCALAR_SCRIPT_PATH}">`);
    expect(res.body).not.toMatch(/https?:\/\//);
    expect(policy(res)["script-src"]).toEqual(["'self'", sha256(scripts[0]!)]);
    expect(policy(res)["connect-src"]).toEqual(["'self'"]);
  });

  it("a JSON answer is not a page: no CSP", async () => {
    const res = await call("GET", "/v1/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-security-policy")).toBeNull();
  });
});

describe("the web app's policy", () => {
  it("lets the editor open WebSockets to ROOMS_URL's origin only (ws for http, wss for https)", () => {
    expect(roomsSocketOrigin("http://127.0.0.1:1999")).toBe("ws://127.0.0.1:1999");
    expect(roomsSocketOrigin("https://rooms.plaza.example/")).toBe("wss://rooms.plaza.example");
    expect(roomsSocketOrigin("not a url")).toBeUndefined();
    const sources = webAppSources({ ROOMS_URL: "https://rooms.plaza.example" });
    expect(sources["connect-src"]).toEqual(["'self'", "wss://rooms.plaza.example"]);
    expect(sources["default-src"]).toEqual(["'self'"]);
  });
});

describe("in production", () => {
  const production = { ...env, ENVIRONMENT: "production" as const };
  const get = (path: string) => worker.fetch(new Request(`https://plaza.test${path}`), production, createExecutionContext());

  it("the dev mailbox is gone, and the pages after it in the app are still served", async () => {
    expect((await get("/dev/mailbox")).status).toBe(404);
    const home = await get("/");
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Find plugins for your projects");
  });
});
