import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { LICENSE_CODES, LICENSE_KEY } from "../../../shared/licenses";
import { createUser, type OrgFixture, orgFixture, type TestUser } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { runJobs } from "../../test/jobs";
import { insertActivation, insertLicense } from "../../test/license-fixtures";
import { buy, countRows, eventually, onboardSeller, paidItem, stripeEventsSettled } from "../../test/payments";
import { expectRateLimited, inOneWindow, statusCounts } from "../../test/rate-limits";
import { REVEAL_TTL_MS } from "./issuance";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

/** Each test calls from its own address, so the per-IP limit of one never reaches another. */
let ipCounter = 0;
const freshIp = () => `192.0.2.${++ipCounter}`;
const licenseApi = (op: "validate" | "activate" | "deactivate", body: Record<string, unknown>, ip: string) =>
  call("POST", `/v1/licenses/${op}`, { body, headers: { "cf-connecting-ip": ip } });

const seen = new Set<string>();

describe("the License API's answers", () => {
  it("validates a good key for its item, read in any case and without dashes", async () => {
    const ip = freshIp();
    const license = await insertLicense(fx.orgId, fx.member.id);
    for (const key of [license.key, license.key.toLowerCase(), license.key.replaceAll("-", "")]) {
      const res = await licenseApi("validate", { key, item: license.item.slug }, ip);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        valid: true,
        code: "valid",
        license: { status: "active", expiresAt: null, activations: 0, maxActivations: 3, item: license.item.slug },
      });
    }
    seen.add("valid");
  });

  it("gives unknown, malformed and wrong-prefix keys one identical answer", async () => {
    const ip = freshIp();
    const license = await insertLicense(fx.orgId, fx.member.id);
    const [, a, b, c] = license.key.split("-");
    const wrongPrefix = `${license.keyPrefix === "ZZZZ" ? "YYYY" : "ZZZZ"}-${a}-${b}-${c}`;
    const unknown = `${license.keyPrefix}-${a}-${b}-${c === "0000" ? "1111" : "0000"}`;
    const candidates = [wrongPrefix, unknown, "", "not a key", "GENX-AAAA", `${license.key}-EXTRA`, "GENX-UUUU-UUUU-UUUU", "x".repeat(256)];
    const answers = [];
    for (const key of candidates) {
      for (const op of ["validate", "activate", "deactivate"] as const) {
        const res = await licenseApi(op, { key, item: license.item.slug, fingerprint: "machine-1" }, ip);
        answers.push({ status: res.status, body: res.body, type: res.headers.get("content-type") });
      }
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({
      status: 200,
      body: { valid: false, code: "not_found" },
      type: expect.stringContaining("application/json"),
    });
    // The same key for another item is found, but only says so: no license details.
    const other = await insertLicense(fx.orgId, fx.member.id);
    const mismatch = await licenseApi("validate", { key: license.key, item: other.item.slug }, ip);
    expect(mismatch.body).toEqual({ valid: false, code: "item_mismatch" });
    // A key longer than anything typed is a malformed request, not a key.
    const huge = await licenseApi("validate", { key: "x".repeat(257), item: license.item.slug }, ip);
    expect([huge.status, errorCode(huge)]).toEqual([400, "invalid_request"]);
    seen.add("not_found").add("item_mismatch");
  });

  it("answers revoked, suspended, disputed and expired licenses with their state, and changes nothing", async () => {
    const ip = freshIp();
    for (const [overrides, code] of [
      [{ status: "revoked" as const }, "revoked"],
      [{ status: "suspended" as const }, "suspended"],
      [{ status: "disputed" as const }, "disputed"],
      [{ status: "expired" as const }, "expired"],
      // Active in D1 but past its expiry: expired before maintenance gets to it.
      [{ expiresAt: Date.now() - 1000 }, "expired"],
    ] as const) {
      const license = await insertLicense(fx.orgId, fx.member.id, overrides);
      const activation = await insertActivation(license.id);
      for (const op of ["validate", "activate", "deactivate"] as const) {
        const res = await licenseApi(
          op,
          { key: license.key, item: license.item.slug, fingerprint: op === "activate" ? "new-machine" : activation.fingerprint },
          ip,
        );
        expect(res.body, `${op} ${code}`).toMatchObject({
          valid: false,
          code,
          license: { status: code, activations: 1, item: license.item.slug },
        });
      }
      expect(await countRows("SELECT 1 FROM license_activations WHERE license_id = ?", license.id)).toBe(1);
      seen.add(code);
    }
  });

  it("activates up to the limit, idempotently per fingerprint; validates and deactivates by fingerprint", async () => {
    const ip = freshIp();
    const license = await insertLicense(fx.orgId, fx.member.id);
    const body = (fingerprint: string, name?: string) => ({
      key: license.key,
      item: license.item.slug,
      fingerprint,
      ...(name && { name }),
    });

    const unactivated = await licenseApi("validate", body("laptop"), ip);
    expect(unactivated.body).toMatchObject({ valid: false, code: "fingerprint_mismatch", license: { activations: 0 } });
    for (const [i, fp] of ["laptop", "desktop", "server"].entries()) {
      const res = await licenseApi("activate", body(fp, `${fp} name`), ip);
      expect(res.body).toMatchObject({ valid: true, code: "valid", license: { activations: i + 1, maxActivations: 3 } });
    }
    // Again on an activated fingerprint: still valid, still three.
    expect((await licenseApi("activate", body("laptop", "renamed laptop"), ip)).body).toMatchObject({
      valid: true,
      code: "valid",
      license: { activations: 3 },
    });
    const full = await licenseApi("activate", body("tablet"), ip);
    expect(full.body).toMatchObject({ valid: false, code: "too_many_activations", license: { activations: 3, maxActivations: 3 } });

    expect((await licenseApi("validate", body("desktop"), ip)).body).toMatchObject({ valid: true, code: "valid" });
    const validated = await env.DB.prepare(
      "SELECT last_validated_at FROM license_activations WHERE license_id = ? AND fingerprint = 'desktop'",
    )
      .bind(license.id)
      .first<number>("last_validated_at");
    expect(validated).toBeGreaterThan(0);
    expect((await licenseApi("validate", body("tablet"), ip)).body).toMatchObject({ valid: false, code: "fingerprint_mismatch" });

    expect((await licenseApi("deactivate", body("server"), ip)).body).toMatchObject({
      valid: true,
      code: "valid",
      license: { activations: 2 },
    });
    expect((await licenseApi("deactivate", body("server"), ip)).body).toMatchObject({
      valid: false,
      code: "fingerprint_mismatch",
      license: { activations: 2 },
    });
    expect((await licenseApi("activate", body("tablet"), ip)).body).toMatchObject({
      valid: true,
      code: "valid",
      license: { activations: 3 },
    });
    const rows = await env.DB.prepare("SELECT fingerprint, name FROM license_activations WHERE license_id = ? ORDER BY fingerprint")
      .bind(license.id)
      .all();
    expect(rows.results).toEqual([
      { fingerprint: "desktop", name: "desktop name" },
      { fingerprint: "laptop", name: "renamed laptop" },
      { fingerprint: "tablet", name: null },
    ]);
    // Activate and deactivate need a fingerprint; validate does not.
    const missing = await licenseApi("activate", { key: license.key, item: license.item.slug }, ip);
    expect([missing.status, errorCode(missing)]).toEqual([400, "invalid_request"]);
    expect(missing.body.error.fields).toHaveProperty(["body.fingerprint"]);
    seen.add("too_many_activations").add("fingerprint_mismatch");
  });

  it("never exceeds the limit under concurrent activations", async () => {
    const license = await insertLicense(fx.orgId, fx.member.id, { maxActivations: 2 });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        licenseApi("activate", { key: license.key, item: license.item.slug, fingerprint: `machine-${i % 6}` }, freshIp()),
      ),
    );
    const codes = answers.map((a) => a.body.code);
    expect(codes.every((c) => c === "valid" || c === "too_many_activations")).toBe(true);
    expect(await countRows("SELECT 1 FROM license_activations WHERE license_id = ?", license.id)).toBe(2);
  });

  it("every reason code is exercised", () => {
    expect([...seen].sort()).toEqual([...LICENSE_CODES].sort());
  });
});

describe("rate limits", () => {
  const MINUTE = 60_000;
  const LIMIT = 60;

  it("allows 60 requests a minute per IP, also when they all arrive at once; the rest 429 with Retry-After", async () => {
    const { license, answers } = await inOneWindow(MINUTE, async () => {
      const ip = freshIp();
      const license = await insertLicense(fx.orgId, fx.member.id);
      // Unknown keys count against the IP as much as good ones (40 of these name the good key).
      const answers = await Promise.all(
        Array.from({ length: 2 * LIMIT }, (_, i) =>
          licenseApi("validate", { key: i % 3 ? `NOPE-${i}` : license.key, item: license.item.slug }, ip),
        ),
      );
      return { license, answers };
    });
    expect(statusCounts(answers)).toEqual({ 200: LIMIT, 429: LIMIT });
    expectRateLimited(answers, 60);
    // Another address is not affected.
    expect((await licenseApi("validate", { key: license.key, item: license.item.slug }, freshIp())).body.code).toBe("valid");
  });

  it("allows 60 requests a minute per key, however typed and from any number of addresses, also at once", async () => {
    const answers = await inOneWindow(MINUTE, async () => {
      const license = await insertLicense(fx.orgId, fx.member.id);
      return Promise.all(
        Array.from({ length: 2 * LIMIT }, (_, i) =>
          licenseApi("validate", { key: i % 2 ? license.key.toLowerCase() : license.key, item: license.item.slug }, freshIp()),
        ),
      );
    });
    expect(statusCounts(answers)).toEqual({ 200: LIMIT, 429: LIMIT });
    expect(answers.filter((a) => a.status === 200).every((a) => a.body.code === "valid")).toBe(true);
    expectRateLimited(answers, 60);
    const other = await insertLicense(fx.orgId, fx.member.id);
    expect((await licenseApi("validate", { key: other.key, item: other.item.slug }, freshIp())).body.code).toBe("valid");
  });

  it("a request refused for its IP spends none of its key's minute", async () => {
    const { refused, fromElsewhere } = await inOneWindow(MINUTE, async () => {
      const ip = freshIp();
      const license = await insertLicense(fx.orgId, fx.member.id);
      const validate = (key: string, from: string) => licenseApi("validate", { key, item: license.item.slug }, from);
      await Promise.all(Array.from({ length: LIMIT }, (_, i) => validate(`NOPE-${i}`, ip)));
      const refused = await Promise.all(Array.from({ length: LIMIT }, () => validate(license.key, ip)));
      const fromElsewhere = await Promise.all(Array.from({ length: LIMIT }, () => validate(license.key, freshIp())));
      return { refused, fromElsewhere };
    });
    expect(statusCounts(refused)).toEqual({ 429: LIMIT });
    expect(statusCounts(fromElsewhere)).toEqual({ 200: LIMIT });
  });
});

describe("the buyer's licenses", () => {
  it("lists your licenses masked with their activations, and lets you remove one of your activations", async () => {
    const buyer = await createUser("license-owner");
    const license = await insertLicense(fx.orgId, buyer.id);
    const activation = await insertActivation(license.id, "workstation");
    await insertLicense(fx.orgId, fx.member.id);

    const mine = await call("GET", "/v1/me/licenses", { token: buyer.accessToken });
    expect(mine.status).toBe(200);
    expect(mine.body.data).toEqual([
      {
        id: license.id,
        itemId: license.item.id,
        itemSlug: license.item.slug,
        itemName: license.item.name,
        key: `${license.keyPrefix}-••••-••••-${license.lastGroup}`,
        status: "active",
        expiresAt: null,
        maxActivations: 3,
        activations: [
          { id: activation.id, fingerprint: "workstation", name: "fixture", createdAt: expect.any(Number), lastValidatedAt: null },
        ],
        createdAt: license.createdAt,
      },
    ]);
    expect(JSON.stringify(mine.body)).not.toContain(license.key.slice(5, 14));

    const path = `/v1/me/licenses/${license.id}/activations/${activation.id}`;
    const nosy = await createUser("nosy");
    expect((await call("DELETE", path, { token: nosy.accessToken })).status).toBe(404);
    expect((await call("DELETE", path, { token: buyer.accessToken })).status).toBe(204);
    expect((await call("DELETE", path, { token: buyer.accessToken })).status).toBe(404);
    expect((await call("GET", "/v1/me/licenses", { token: buyer.accessToken })).body.data[0].activations).toEqual([]);
  });
});

describe("maintenance", () => {
  it("expires lapsed licenses and purges unread reveals", async () => {
    const lapsed = await insertLicense(fx.orgId, fx.member.id, { expiresAt: Date.now() - 1000 });
    const live = await insertLicense(fx.orgId, fx.member.id, { expiresAt: Date.now() + 86_400_000 });
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO license_reveals (license_id, checkout_id, sealed_key, created_at, expires_at) VALUES (?, 'chk_x', 'k1:a:b:c', ?, ?)",
      ).bind(lapsed.id, now - REVEAL_TTL_MS - 1, now - 1),
      env.DB.prepare(
        "INSERT INTO license_reveals (license_id, checkout_id, sealed_key, created_at, expires_at) VALUES (?, 'chk_y', 'k1:a:b:c', ?, ?)",
      ).bind(live.id, now, now + REVEAL_TTL_MS),
    ]);
    await runJobs(Date.now() + 50_000, env);
    const status = (id: string) => env.DB.prepare("SELECT status FROM licenses WHERE id = ?").bind(id).first<string>("status");
    expect(await status(lapsed.id)).toBe("expired");
    expect(await status(live.id)).toBe("active");
    expect(await countRows("SELECT 1 FROM license_reveals WHERE license_id IN (?, ?)", lapsed.id, live.id)).toBe(1);
  });
});

describe("licenses from purchases", () => {
  let buyer: TestUser;
  beforeAll(async () => {
    await onboardSeller(fx.owner, fx.orgId);
    buyer = await createUser("licensee");
  });

  /** Buys `slug` and reads the checkout's status until the order is there; that answer carries the key. */
  async function buyAndReveal(slug: string, who: TestUser) {
    const { checkoutId } = await buy(slug, { buyer: who });
    const status = await eventually(async () => {
      const res = await call("GET", `/v1/checkouts/${checkoutId}`);
      return res.body.orderId ? res : undefined;
    }, "the order");
    return { checkoutId, status };
  }

  it("a purchase issues one key with the item's prefix and limit, shown once on the checkout and valid for the item", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 1900, currency: "usd" });
    const policy = await call("PUT", `/v1/orgs/${fx.orgId}/items/${item.id}/license-policy`, {
      token: fx.admin.accessToken,
      body: { prefix: "genx", maxActivations: 5 },
    });
    expect(policy.body).toEqual({ itemId: item.id, prefix: "GENX", maxActivations: 5, custom: true });
    expect((await call("GET", `/v1/orgs/${fx.orgId}/items/${item.id}/license-policy`, { token: fx.member.accessToken })).body).toEqual(
      policy.body,
    );
    const badPrefix = await call("PUT", `/v1/orgs/${fx.orgId}/items/${item.id}/license-policy`, {
      token: fx.admin.accessToken,
      body: { prefix: "GEN!" },
    });
    expect(badPrefix.status).toBe(400);

    const { checkoutId, status } = await buyAndReveal(item.slug, buyer);
    expect(status.headers.get("cache-control")).toBe("no-store");
    const key = status.body.licenseKey as string;
    expect(key).toMatch(LICENSE_KEY);
    expect(key.startsWith("GENX-")).toBe(true);
    // Shown once: every later read has null, and nothing in D1 holds the key any more.
    expect((await call("GET", `/v1/checkouts/${checkoutId}`)).body).toMatchObject({
      status: "complete",
      orderId: status.body.orderId,
      licenseKey: null,
    });
    expect(await countRows("SELECT 1 FROM license_reveals WHERE checkout_id = ?", checkoutId)).toBe(0);

    const rows = await env.DB.prepare("SELECT * FROM licenses WHERE user_id = ? AND item_id = ?")
      .bind(buyer.id, item.id)
      .all<Record<string, unknown>>();
    expect(rows.results).toHaveLength(1);
    const row = rows.results[0]!;
    expect(row).toMatchObject({
      order_id: status.body.orderId,
      subscription_id: null,
      key_prefix: "GENX",
      last_group: key.slice(-4),
      status: "active",
      expires_at: null,
      max_activations: 5,
    });
    expect(JSON.stringify(row)).not.toContain(`${key.slice(5, 9)}-${key.slice(10, 14)}`);
    const entitlement = await env.DB.prepare("SELECT id FROM entitlements WHERE user_id = ? AND item_id = ? AND source = 'purchase'")
      .bind(buyer.id, item.id)
      .first<string>("id");
    expect(row.entitlement_id).toBe(entitlement);

    const ip = freshIp();
    expect((await licenseApi("validate", { key, item: item.slug }, ip)).body).toEqual({
      valid: true,
      code: "valid",
      license: { status: "active", expiresAt: null, activations: 0, maxActivations: 5, item: item.slug },
    });
    const mine = await call("GET", "/v1/me/licenses", { token: buyer.accessToken });
    expect(mine.body.data).toEqual([
      expect.objectContaining({ itemSlug: item.slug, key: `GENX-••••-••••-${key.slice(-4)}`, status: "active", maxActivations: 5 }),
    ]);
    await stripeEventsSettled();
    expect(await countRows("SELECT 1 FROM licenses WHERE user_id = ?", buyer.id)).toBe(1);
  });

  it("without a policy an item's keys start with its slug's first letters and allow 3 activations", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 900, currency: "usd" });
    const who = await createUser("default-policy");
    const { status } = await buyAndReveal(item.slug, who);
    const key = status.body.licenseKey as string;
    expect(key.slice(0, 4)).toBe(
      item.slug
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, "")
        .slice(0, 4),
    );
    expect((await licenseApi("validate", { key, item: item.slug }, freshIp())).body.license.maxActivations).toBe(3);
    expect(
      (await call("GET", `/v1/orgs/${fx.orgId}/items/${item.id}/license-policy`, { token: fx.member.accessToken })).body,
    ).toMatchObject({ maxActivations: 3, custom: false });
  });

  it("a full refund revokes the key", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 2500, currency: "usd" });
    const who = await createUser("refunded-licensee");
    const { status } = await buyAndReveal(item.slug, who);
    const key = status.body.licenseKey as string;
    const ip = freshIp();
    expect((await licenseApi("activate", { key, item: item.slug, fingerprint: "pc" }, ip)).body.code).toBe("valid");

    const refund = await call("POST", `/v1/orgs/${fx.orgId}/orders/${status.body.orderId}/refund`, {
      token: fx.admin.accessToken,
      body: { reason: "license test" },
    });
    expect(refund.status, JSON.stringify(refund.body)).toBe(202);
    // Polled in D1, not through the License API: that would soon be rate limited.
    await eventually(async () => {
      const row = await env.DB.prepare("SELECT status FROM licenses WHERE user_id = ? AND item_id = ?")
        .bind(who.id, item.id)
        .first<string>("status");
      return row === "revoked" ? true : undefined;
    }, "the key to be revoked");
    const revoked = (await licenseApi("validate", { key, item: item.slug, fingerprint: "pc" }, ip)).body;
    expect(revoked).toEqual({
      valid: false,
      code: "revoked",
      license: { status: "revoked", expiresAt: null, activations: 1, maxActivations: 3, item: item.slug },
    });
    await stripeEventsSettled();
    expect(
      await env.DB.prepare("SELECT status FROM entitlements WHERE user_id = ? AND item_id = ?")
        .bind(who.id, item.id)
        .first<string>("status"),
    ).toBe("revoked");
    expect((await call("GET", "/v1/me/licenses", { token: who.accessToken })).body.data[0].status).toBe("revoked");
  });

  it("an operator's revocation of the entitlement revokes its key too", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 700, currency: "usd" });
    const who = await createUser("operator-revoked");
    const { status } = await buyAndReveal(item.slug, who);
    const entitlementId = await env.DB.prepare("SELECT id FROM entitlements WHERE user_id = ? AND item_id = ?")
      .bind(who.id, item.id)
      .first<string>("id");
    const res = await call("POST", `/v1/operator/entitlements/${entitlementId}/revoke`, {
      token: fx.operator.accessToken,
      body: { reason: "chargeback" },
    });
    expect(res.status).toBe(200);
    expect((await licenseApi("validate", { key: status.body.licenseKey, item: item.slug }, freshIp())).body.code).toBe("revoked");
  });
});
