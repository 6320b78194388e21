import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { maskLicenseKey } from "../../../shared/licenses";
import { createUser, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { insertActivation, insertLicense } from "../../test/license-fixtures";
import { countRows } from "../../test/payments";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

let ipCounter = 0;
/** The License API as a plugin calls it: only the key, from its own address (so no test meets another's rate limit). */
const licenseApi = (op: "validate" | "activate", body: Record<string, unknown>) =>
  call("POST", `/v1/licenses/${op}`, { body, headers: { "cf-connecting-ip": `198.51.100.${++ipCounter}` } });

type License = Awaited<ReturnType<typeof insertLicense>>;
const base = (license: License) => `/v1/orgs/${fx.orgId}/items/${license.itemId}/licenses`;
const act = (license: License, action: string, token = fx.admin.accessToken) =>
  call("POST", `${base(license)}/${license.id}/${action}`, { token });
const auditRows = (licenseId: string, action: string) =>
  countRows("SELECT 1 FROM audit_events WHERE target_id = ? AND action = ?", licenseId, action);

describe("an item's keys as its author sees them", () => {
  it("lists them newest first, masked, with the buyer's e-mail; searches by last group (as read out) or e-mail", async () => {
    const buyer = await createUser("licensee");
    const first = await insertLicense(fx.orgId, buyer.id);
    // Another key of the same item, bought by someone else, and a key of another item.
    const other = await insertLicense(fx.orgId, fx.member.id, {
      itemId: first.itemId,
      keyPrefix: first.keyPrefix,
      createdAt: Date.now() + 1,
    });
    await insertLicense(fx.orgId, buyer.id);

    const all = await call("GET", base(first), { token: fx.member.accessToken });
    expect(all.status).toBe(200);
    expect(all.body.data.map((l: { id: string }) => l.id)).toEqual([other.id, first.id]);
    await insertActivation(first.id);
    const withActivation = await call("GET", base(first), { token: fx.member.accessToken });
    expect(withActivation.body.data[1]).toMatchObject({
      id: first.id,
      key: maskLicenseKey(first.keyPrefix, first.lastGroup),
      lastGroup: first.lastGroup,
      status: "active",
      source: "purchase",
      userId: buyer.id,
      buyerEmail: buyer.email,
      activationCount: 1,
      maxActivations: 3,
    });
    // Keys are stored hashed: not even the author gets more than the last group.
    expect(JSON.stringify(all.body)).not.toContain(first.key);

    const search = async (q: string) =>
      (await call("GET", `${base(first)}?q=${encodeURIComponent(q)}`, { token: fx.member.accessToken })).body.data.map(
        (l: { id: string }) => l.id,
      );
    expect(await search(first.lastGroup.toLowerCase())).toEqual([first.id]);
    expect(await search(maskLicenseKey(first.keyPrefix, first.lastGroup))).toEqual([first.id]);
    expect(await search(first.key)).toEqual([first.id]);
    expect(await search(buyer.email.toUpperCase())).toEqual([first.id]);
    expect(await search(buyer.email.split("@")[0]!)).toEqual([first.id]);
    expect(await search("nobody-at-all@example.test")).toEqual([]);
    // LIKE's wildcards are plain text here.
    expect(await search("%")).toEqual([]);

    const page = await call("GET", `${base(first)}?limit=1`, { token: fx.member.accessToken });
    expect(page.body.data.map((l: { id: string }) => l.id)).toEqual([other.id]);
    const next = await call("GET", `${base(first)}?limit=1&cursor=${page.body.nextCursor}`, { token: fx.member.accessToken });
    expect(next.body).toMatchObject({ data: [{ id: first.id }], nextCursor: null });
  });

  it("shows one key with its activations; another org's key, or the key under another item, is not found", async () => {
    const license = await insertLicense(fx.orgId, fx.member.id);
    const activation = await insertActivation(license.id, "studio-mac");
    const detail = await call("GET", `${base(license)}/${license.id}`, { token: fx.member.accessToken });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      id: license.id,
      activationCount: 1,
      activations: [{ id: activation.id, fingerprint: "studio-mac" }],
    });

    const elsewhere = await insertLicense(fx.outsiderOrgId, fx.outsider.id);
    const foreign = await call("GET", `/v1/orgs/${fx.orgId}/items/${license.itemId}/licenses/${elsewhere.id}`, {
      token: fx.admin.accessToken,
    });
    expect([foreign.status, errorCode(foreign)]).toEqual([404, "not_found"]);
    const sibling = await insertLicense(fx.orgId, fx.member.id);
    const wrongItem = await call("POST", `/v1/orgs/${fx.orgId}/items/${sibling.itemId}/licenses/${license.id}/suspend`, {
      token: fx.admin.accessToken,
    });
    expect(wrongItem.status).toBe(404);
    expect((await call("GET", `${base(license)}?q=x`, { token: fx.outsider.accessToken })).status).toBe(404);
  });
});

describe("the author's actions on a key", () => {
  it("suspend: the License API answers `suspended` until reinstated, then `valid`; each twice is one change and one audit row", async () => {
    const license = await insertLicense(fx.orgId, fx.member.id);
    const activation = await insertActivation(license.id);
    const call_ = { key: license.key, item: license.item.slug, fingerprint: activation.fingerprint };
    expect((await licenseApi("validate", call_)).body.code).toBe("valid");

    const suspended = await act(license, "suspend");
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ id: license.id, status: "suspended", activationCount: 1 });
    expect((await act(license, "suspend")).body.status).toBe("suspended");
    expect(await auditRows(license.id, "license.suspended")).toBe(1);
    for (const op of ["validate", "activate"] as const) {
      const answer = await licenseApi(op, { ...call_, fingerprint: op === "activate" ? "new-machine" : call_.fingerprint });
      expect(answer.body).toMatchObject({ valid: false, code: "suspended", license: { status: "suspended" } });
    }
    // Refused, so nothing changed: the new machine was not activated.
    expect(await countRows("SELECT 1 FROM license_activations WHERE license_id = ?", license.id)).toBe(1);

    const reinstated = await act(license, "reinstate");
    expect(reinstated.body.status).toBe("active");
    expect((await act(license, "reinstate")).status).toBe(200);
    expect(await auditRows(license.id, "license.reinstated")).toBe(1);
    expect((await licenseApi("validate", call_)).body).toMatchObject({ valid: true, code: "valid" });
  });

  it("reset activations frees every installation, which must activate again", async () => {
    const license = await insertLicense(fx.orgId, fx.member.id, { maxActivations: 2 });
    const [a] = await Promise.all([insertActivation(license.id), insertActivation(license.id)]);
    const body = { key: license.key, item: license.item.slug, fingerprint: "third-machine" };
    expect((await licenseApi("activate", body)).body.code).toBe("too_many_activations");

    const reset = await act(license, "reset-activations");
    expect(reset.body).toMatchObject({ status: "active", activationCount: 0, activations: [] });
    expect((await act(license, "reset-activations")).status).toBe(200);
    expect(await auditRows(license.id, "license.activations_reset")).toBe(1);
    expect((await licenseApi("validate", { ...body, fingerprint: a!.fingerprint })).body.code).toBe("fingerprint_mismatch");
    expect((await licenseApi("activate", body)).body).toMatchObject({ valid: true, license: { activations: 1 } });
  });

  it("revoke is final and announced as license.revoked; a revoked key cannot be suspended or reinstated", async () => {
    const license = await insertLicense(fx.orgId, fx.member.id);
    const revoked = await act(license, "revoke");
    expect(revoked.body).toMatchObject({ status: "revoked", revokedAt: expect.any(Number) });
    expect((await act(license, "revoke")).status).toBe(200);
    expect(await auditRows(license.id, "license.revoked")).toBe(1);
    const events = await env.DB.prepare("SELECT type FROM webhook_events WHERE org_id = ? AND payload LIKE ?")
      .bind(fx.orgId, `%${license.id}%`)
      .all<{ type: string }>();
    expect(events.results.map((e) => e.type)).toEqual(["license.revoked"]);
    expect((await licenseApi("validate", { key: license.key, item: license.item.slug })).body.code).toBe("revoked");
    for (const action of ["suspend", "reinstate"]) {
      const refused = await act(license, action);
      expect([refused.status, errorCode(refused)]).toEqual([409, "conflict"]);
    }
    // Freeing a revoked key's installations is harmless, so allowed.
    await insertActivation(license.id);
    expect((await act(license, "reset-activations")).body).toMatchObject({ status: "revoked", activationCount: 0 });
    expect(await countRows("SELECT 1 FROM audit_events WHERE target_id = ?", license.id)).toBe(2);
  });

  it("members read but do not act; an unknown action is a 400", async () => {
    const license = await insertLicense(fx.orgId, fx.member.id);
    const asMember = await act(license, "suspend", fx.member.accessToken);
    expect(asMember.status).toBe(403);
    const unknown = await act(license, "delete");
    expect([unknown.status, errorCode(unknown)]).toEqual([400, "invalid_request"]);
    expect((await call("GET", `${base(license)}/${license.id}`, { token: fx.member.accessToken })).body.status).toBe("active");
  });
});
