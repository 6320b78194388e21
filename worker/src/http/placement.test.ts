import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../env";
import worker from "../index";

/**
 * The edge Worker of a deployment: the real fetch handler with `PLACED` bound to TEST_PLACED, a
 * service (vitest.config.ts) that stands in for the placed Worker and answers with what it got.
 */
const testEnv = env as unknown as Env & { TEST_PLACED: Fetcher };

interface Forwarded {
  method: string;
  url: string;
  headers: [string, string][];
  body: string;
}

async function send(path: string, init: RequestInit, { placed }: { placed: boolean }) {
  const ctx = createExecutionContext();
  const bindings: Env = placed ? { ...testEnv, PLACED: testEnv.TEST_PLACED } : testEnv;
  const res = await worker.fetch(new Request(`https://plaza.test${path}`, init), bindings, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  const forwarded = res.headers.get("x-test-placed") === "1" ? (JSON.parse(text) as Forwarded) : undefined;
  return { res, text, forwarded };
}

const header = (forwarded: Forwarded, name: string) => forwarded.headers.find(([key]) => key === name)?.[1];

const BOOKMARK = "0000000f-00000003-00005049-3b5c1d2e0f8a7b6c5d4e3f2a1b0c9d8e";
const signedIn = {
  authorization: "Bearer not-checked-at-the-edge",
  cookie: `plaza_d1_bookmark=${BOOKMARK}; plaza_session=abc`,
  "x-plaza-d1-bookmark": BOOKMARK,
  "cf-connecting-ip": "203.0.113.9",
};

describe("placement: the edge Worker forwards all but public reads to the placed Worker", () => {
  it("answers storefront pages, public catalog reads and the docs itself, without forwarding", async () => {
    for (const path of ["/", "/v1/search?q=theme", "/healthz", "/openapi.json", "/docs", "/items/no-such-item", "/dashboard"]) {
      const { res, forwarded } = await send(path, { headers: { "cf-connecting-ip": "203.0.113.9" } }, { placed: true });
      expect(forwarded, path).toBeUndefined();
      expect(res.status, path).toBe(path === "/items/no-such-item" ? 404 : 200);
    }
  });

  it("forwards every write, even to a path whose reads stay at the edge", async () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      for (const path of ["/", "/items/some-item", "/v1/search"]) {
        const { forwarded } = await send(path, { method, headers: signedIn, body: "x" }, { placed: true });
        expect(`${forwarded?.method} ${forwarded?.body}`, `${method} ${path}`).toBe(`${method} x`);
      }
    }
  });

  it("forwards reads that must see the caller's own writes or the primary's state", async () => {
    for (const path of ["/v1/orgs/org_x/items", "/v1/checkouts/cs_x", "/readyz", "/download/tok"]) {
      const { forwarded } = await send(path, { headers: signedIn }, { placed: true });
      expect(forwarded?.url, path).toBe(`https://plaza.test${path}`);
    }
  });

  it("forwards a POST with its method, path, query, headers and body intact", async () => {
    const body = JSON.stringify({ email: "someone@example.test", password: "correct horse battery staple" });
    const { res, forwarded } = await send(
      "/v1/auth/login?next=%2Fdashboard",
      { method: "POST", headers: { ...signedIn, "content-type": "application/json", "idempotency-key": "k-1" }, body },
      { placed: true },
    );
    expect(res.status).toBe(200);
    expect(forwarded).toBeDefined();
    expect(forwarded!.method).toBe("POST");
    expect(forwarded!.url).toBe("https://plaza.test/v1/auth/login?next=%2Fdashboard");
    expect(forwarded!.body).toBe(body);
    expect(header(forwarded!, "content-type")).toBe("application/json");
    expect(header(forwarded!, "idempotency-key")).toBe("k-1");
    expect(header(forwarded!, "cf-connecting-ip")).toBe("203.0.113.9");
  });

  it("forwards a signed-in dashboard read with its credentials and D1 bookmark (header and cookie)", async () => {
    const { forwarded } = await send("/v1/me", { headers: signedIn }, { placed: true });
    expect(forwarded?.method).toBe("GET");
    expect(forwarded?.url).toBe("https://plaza.test/v1/me");
    expect(header(forwarded!, "authorization")).toBe(signedIn.authorization);
    expect(header(forwarded!, "cookie")).toBe(signedIn.cookie);
    expect(header(forwarded!, "x-plaza-d1-bookmark")).toBe(BOOKMARK);
  });

  it("forwards a Stripe webhook byte for byte, with its signature header", async () => {
    const payload = '{"id":"evt_1","type":"checkout.session.completed","data":{"object":{"id":"cs_1","note":"é ✓"}}}';
    const signature = "t=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd";
    const { forwarded } = await send(
      "/v1/stripe/webhooks",
      { method: "POST", headers: { "stripe-signature": signature, "content-type": "application/json" }, body: payload },
      { placed: true },
    );
    expect(forwarded?.method).toBe("POST");
    expect(forwarded?.url).toBe("https://plaza.test/v1/stripe/webhooks");
    expect(forwarded?.body).toBe(payload);
    expect(header(forwarded!, "stripe-signature")).toBe(signature);
  });

  it("without PLACED (npm start, the placed Worker itself) answers everything itself", async () => {
    const storefront = await send("/", {}, { placed: false });
    expect(storefront.forwarded).toBeUndefined();
    expect(storefront.res.status).toBe(200);
    const me = await send("/v1/me", { headers: signedIn }, { placed: false });
    expect(me.forwarded).toBeUndefined();
    expect(me.res.status).toBe(401);
    const webhook = await send(
      "/v1/stripe/webhooks",
      { method: "POST", headers: { "stripe-signature": "t=1,v1=00", "content-type": "application/json" }, body: "{}" },
      { placed: false },
    );
    expect(webhook.forwarded).toBeUndefined();
    expect(webhook.res.status).toBe(400);
  });
});
