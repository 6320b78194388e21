/**
 * Read-your-writes through D1 bookmarks, against a read replica that lags (worker/test/lagging-replica.ts):
 * the replica is a copy of the primary from the start of each test and takes none of its writes. A
 * write answers a bookmark (header, and cookie for a signed-in browser); the next read that carries
 * it sees the write. The same read without it is served by the replica and misses the write, which
 * is what makes each test able to fail.
 */
import { applyD1Migrations, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { addMember, createUser, type OrgFixture, orgFixture, type TestUser } from "../../test/fixtures";
import { LaggingReplica } from "../../test/lagging-replica";
import { eventually, onboardSeller, paidItem, submitHostedForm } from "../../test/payments";
import { backgroundContext } from "../context";
import worker from "../index";
import { D1_BOOKMARK_COOKIE, D1_BOOKMARK_HEADER, D1Bookmark } from "./d1-sessions";

const testEnv = env as typeof env & { DB_REPLICA: D1Database };
const replica = new LaggingReplica(env.DB, testEnv.DB_REPLICA);
/** The Worker's bindings with the modelled replicas behind `DB`. */
const replicatedEnv = { ...env, DB: replica.binding };

type Carrier = "header" | "cookie";

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: read field by field by the expects, as worker/test/http.ts's calls are
  body: any;
  headers: Headers;
  /** The bookmark as the carrier brings it back: the response header, or the cookie set (undefined: none). */
  bookmark(carrier: Carrier): string | undefined;
  /** Where this request's statements ran. */
  served: string[];
}

const cookieOf = (headers: Headers) =>
  headers
    .getSetCookie()
    .map((line) => new RegExp(`^${D1_BOOKMARK_COOKIE}=([^;]*)`).exec(line)?.[1])
    .find((value) => value !== undefined);

/** A request to the Worker whose `DB` has the lagging replica; `carry` sends a bookmark the carrier's way. */
async function request(
  method: string,
  path: string,
  options: {
    user?: TestUser;
    body?: unknown;
    carry?: { carrier: Carrier; bookmark: string | undefined };
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { "cf-connecting-ip": "203.0.113.9", ...options.headers };
  if (options.user) headers.authorization = `Bearer ${options.user.accessToken}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const carried = options.carry?.bookmark;
  if (options.carry && carried === undefined) throw new Error("nothing to carry: the write answered no bookmark");
  if (carried !== undefined && options.carry?.carrier === "header") headers[D1_BOOKMARK_HEADER] = carried;
  if (carried !== undefined && options.carry?.carrier === "cookie") headers.cookie = `${D1_BOOKMARK_COOKIE}=${carried}`;
  const before = replica.served.length;
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://plaza.test${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }),
    replicatedEnv,
    ctx,
  );
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return {
    status: res.status,
    body: text ? JSON.parse(text) : null,
    headers: res.headers,
    bookmark: (carrier) => (carrier === "header" ? (res.headers.get(D1_BOOKMARK_HEADER) ?? undefined) : cookieOf(res.headers)),
    served: replica.served.slice(before),
  };
}

let fx: OrgFixture;
beforeAll(async () => {
  await applyD1Migrations(testEnv.DB_REPLICA, env.TEST_MIGRATIONS);
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
});

describe.each(["header", "cookie"] as const)("read-your-writes with the bookmark in a %s", (carrier) => {
  it("create an item, then the org's item list has it; without the bookmark the replica does not", async () => {
    await replica.catchUp();
    const slug = `replicated-${carrier}-${Date.now().toString(36)}`;
    const created = await request("POST", `/v1/orgs/${fx.orgId}/items`, {
      user: fx.owner,
      body: { slug, name: `Replicated ${carrier}`, category: "productivity" },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.served.every((on) => on === "primary")).toBe(true);
    const bookmark = created.bookmark(carrier);
    expect(D1Bookmark.safeParse(bookmark).success, `bookmark ${bookmark}`).toBe(true);

    const fresh = await request("GET", `/v1/orgs/${fx.orgId}/items`, { user: fx.owner, carry: { carrier, bookmark } });
    expect(fresh.status).toBe(200);
    expect(fresh.body.data.map((i: { slug: string }) => i.slug)).toContain(slug);

    const stale = await request("GET", `/v1/orgs/${fx.orgId}/items`, { user: fx.owner });
    expect(stale.status).toBe(200);
    expect(stale.served.every((on) => on === "replica")).toBe(true);
    expect(stale.body.data.map((i: { slug: string }) => i.slug)).not.toContain(slug);
  });

  it("buy, then the buyer's purchases have the order; without the bookmark the replica does not", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 1500, currency: "usd" });
    const buyer = await createUser(`replica-buyer-${carrier}`);
    await replica.catchUp();

    const checkout = await request("POST", `/v1/items/${item.slug}/checkout`, { user: buyer, body: {} });
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
    await submitHostedForm(checkout.body.url, "pay");
    // The success page polls the checkout (a primary read) until the webhook's order shows; each
    // answer's bookmark replaces the last, as the web app's cookie or an API client's header would.
    let bookmark = checkout.bookmark(carrier);
    const orderId = await eventually(async () => {
      const status = await request("GET", `/v1/checkouts/${checkout.body.checkoutId}`, { user: buyer, carry: { carrier, bookmark } });
      expect(status.status, JSON.stringify(status.body)).toBe(200);
      bookmark = status.bookmark(carrier) ?? bookmark;
      return (status.body.orderId as string | null) ?? undefined;
    }, "the paid checkout's order");

    const fresh = await request("GET", "/v1/me/orders", { user: buyer, carry: { carrier, bookmark } });
    expect(fresh.status).toBe(200);
    expect(fresh.body.data.map((o: { id: string }) => o.id)).toContain(orderId);

    const stale = await request("GET", "/v1/me/orders", { user: buyer });
    expect(stale.status).toBe(200);
    expect(stale.served.every((on) => on === "replica")).toBe(true);
    expect(stale.body.data.map((o: { id: string }) => o.id)).not.toContain(orderId);
  });

  it("change a member's role, then the member list shows the new role; without the bookmark the replica does not", async () => {
    const user = await createUser(`replica-member-${carrier}`);
    await addMember(fx.owner, fx.orgId, user, "member");
    await replica.catchUp();

    const changed = await request("PATCH", `/v1/orgs/${fx.orgId}/members/${user.id}`, { user: fx.owner, body: { role: "admin" } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const bookmark = changed.bookmark(carrier);

    const roleIn = (answer: Answer) => answer.body.data.find((m: { userId: string }) => m.userId === user.id)?.role;
    const fresh = await request("GET", `/v1/orgs/${fx.orgId}/members`, { user: fx.owner, carry: { carrier, bookmark } });
    expect(fresh.status).toBe(200);
    expect(roleIn(fresh)).toBe("admin");

    const stale = await request("GET", `/v1/orgs/${fx.orgId}/members`, { user: fx.owner });
    expect(stale.status).toBe(200);
    expect(roleIn(stale)).toBe("member");
  });
});

describe("bookmarks in and out", () => {
  it("a malformed bookmark (header or cookie) is ignored: the read starts at the replica and succeeds", async () => {
    await replica.catchUp();
    for (const bad of ["nonsense", "../../etc/passwd", "0".repeat(500), "00000000-0000003c-00000000-zz"]) {
      const carriers: Record<string, string>[] = [
        { [D1_BOOKMARK_HEADER]: bad },
        { cookie: `${D1_BOOKMARK_COOKIE}=${encodeURIComponent(bad)}` },
      ];
      for (const headers of carriers) {
        const res = await request("GET", `/v1/orgs/${fx.orgId}/members`, { user: fx.owner, headers });
        expect(res.status, bad).toBe(200);
        expect(res.served.every((on) => on === "replica")).toBe(true);
      }
    }
  });

  it("the cookie is set for a signed-in caller (HttpOnly, SameSite=Lax, Path=/, a day) and not on an anonymous public read", async () => {
    await replica.catchUp();
    const signedIn = await request("GET", "/v1/me", { user: fx.member });
    expect(signedIn.status).toBe(200);
    const line = signedIn.headers.getSetCookie().find((l) => l.startsWith(`${D1_BOOKMARK_COOKIE}=`));
    expect(line).toMatch(/; Max-Age=86400/);
    expect(line).toMatch(/; Path=\//);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Lax/);

    const anonymous = await request("GET", "/v1/search?q=anything");
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.getSetCookie().filter((l) => l.startsWith(`${D1_BOOKMARK_COOKIE}=`))).toEqual([]);
    expect(D1Bookmark.safeParse(anonymous.headers.get(D1_BOOKMARK_HEADER)).success).toBe(true);
  });

  it("background work (queues, cron) starts at the primary: it sees a write the replica has not", async () => {
    await replica.catchUp();
    const user = await createUser("replica-background");
    const ctx = backgroundContext(replicatedEnv, { requestId: "test-background", handlers: [] });
    const before = replica.served.length;
    const row = await ctx.env.DB.prepare("SELECT id FROM users WHERE id = ?").bind(user.id).first<{ id: string }>();
    expect(row?.id).toBe(user.id);
    expect(replica.served.slice(before)).toEqual(["primary"]);
    const onReplica = await replica.binding
      .withSession("first-unconstrained")
      .prepare("SELECT id FROM users WHERE id = ?")
      .bind(user.id)
      .first();
    expect(onReplica).toBeNull();
  });
});
