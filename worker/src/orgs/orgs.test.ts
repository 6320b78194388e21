import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { addMember, createOrg, createUser, type OrgFixture, orgFixture, tokenFromMail } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

const members = async (orgId: string, token: string) =>
  (await call("GET", `/v1/orgs/${orgId}/members`, { token })).body.data as { userId: string; role: string }[];

describe("orgs", () => {
  it("creating an org makes you its owner and, if first, your active org", async () => {
    const me = await call("GET", "/v1/me", { token: fx.owner.accessToken });
    expect(me.body.activeOrgId).toBe(fx.orgId);
    expect(me.body.orgs).toEqual([expect.objectContaining({ orgId: fx.orgId, role: "owner" })]);
  });

  it("refuses a taken slug with 409 naming the field", async () => {
    const org = await call("GET", `/v1/orgs/${fx.orgId}`, { token: fx.owner.accessToken });
    const dup = await call("POST", "/v1/orgs", { token: fx.member.accessToken, body: { name: "Dup", slug: org.body.slug } });
    expect([dup.status, errorCode(dup), Object.keys(dup.body.error.fields)]).toEqual([409, "conflict", ["body.slug"]]);
  });

  it("switches the active org only to an org you belong to", async () => {
    const second = await createOrg(fx.member);
    expect((await call("PUT", "/v1/me/active-org", { token: fx.member.accessToken, body: { orgId: second.id } })).status).toBe(204);
    expect((await call("GET", "/v1/me", { token: fx.member.accessToken })).body.activeOrgId).toBe(second.id);
    const foreign = await call("PUT", "/v1/me/active-org", { token: fx.member.accessToken, body: { orgId: fx.outsiderOrgId } });
    expect(foreign.status).toBe(404);
  });
});

describe("roles", () => {
  it("an admin manages members and admins but cannot make or touch owners", async () => {
    const target = await createUser("t");
    await addMember(fx.owner, fx.orgId, target, "member");
    expect(
      (await call("PATCH", `/v1/orgs/${fx.orgId}/members/${target.id}`, { token: fx.admin.accessToken, body: { role: "admin" } })).status,
    ).toBe(200);
    const promote = await call("PATCH", `/v1/orgs/${fx.orgId}/members/${target.id}`, {
      token: fx.admin.accessToken,
      body: { role: "owner" },
    });
    expect([promote.status, errorCode(promote)]).toEqual([403, "forbidden"]);
    const demoteOwner = await call("PATCH", `/v1/orgs/${fx.orgId}/members/${fx.owner.id}`, {
      token: fx.admin.accessToken,
      body: { role: "member" },
    });
    expect(demoteOwner.status).toBe(403);
  });

  it("always keeps one owner: the last owner can be neither demoted, removed, nor leave", async () => {
    const owner = await createUser("solo");
    const org = await createOrg(owner);
    const demote = await call("PATCH", `/v1/orgs/${org.id}/members/${owner.id}`, { token: owner.accessToken, body: { role: "admin" } });
    expect([demote.status, errorCode(demote)]).toEqual([409, "last_owner"]);
    const leave = await call("DELETE", `/v1/orgs/${org.id}/members/${owner.id}`, { token: owner.accessToken });
    expect([leave.status, errorCode(leave)]).toEqual([409, "last_owner"]);
    // Refused changes leave no audit row claiming they happened.
    const audit = await call("GET", `/v1/orgs/${org.id}/audit-log`, { token: owner.accessToken });
    expect(audit.body.data.map((e: { action: string }) => e.action)).not.toContain("member.role_changed");
    expect(audit.body.data.map((e: { action: string }) => e.action)).not.toContain("member.removed");

    // With a second owner, either may step down, but not both.
    const other = await createUser("co");
    await addMember(owner, org.id, other, "owner");
    const [a, b] = await Promise.all([
      call("PATCH", `/v1/orgs/${org.id}/members/${owner.id}`, { token: owner.accessToken, body: { role: "member" } }),
      call("PATCH", `/v1/orgs/${org.id}/members/${other.id}`, { token: other.accessToken, body: { role: "member" } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect((await members(org.id, other.accessToken)).filter((m) => m.role === "owner")).toHaveLength(1);
  });

  it("a member may leave; removal ends access at once", async () => {
    const leaver = await createUser("leaver");
    await addMember(fx.owner, fx.orgId, leaver, "member");
    expect((await call("DELETE", `/v1/orgs/${fx.orgId}/members/${leaver.id}`, { token: leaver.accessToken })).status).toBe(204);
    expect((await call("GET", `/v1/orgs/${fx.orgId}`, { token: leaver.accessToken })).status).toBe(404);
    expect((await call("GET", "/v1/me", { token: leaver.accessToken })).body.activeOrgId).toBeNull();
  });

  it("a member cannot remove someone else", async () => {
    const res = await call("DELETE", `/v1/orgs/${fx.orgId}/members/${fx.admin.id}`, { token: fx.member.accessToken });
    expect(res.status).toBe(403);
  });
});

describe("invites", () => {
  it("e-mails a link that the invited address accepts once, with the invited role", async () => {
    const invitee = await createUser("invitee");
    const invite = await call("POST", `/v1/orgs/${fx.orgId}/invites`, {
      token: fx.admin.accessToken,
      body: { email: invitee.email, role: "admin" },
    });
    expect(invite.status).toBe(201);
    expect(
      (await call("GET", `/v1/orgs/${fx.orgId}/invites`, { token: fx.admin.accessToken })).body.data.map((i: { id: string }) => i.id),
    ).toContain(invite.body.id);
    const token = await tokenFromMail(invitee.email);
    const accepted = await call("POST", "/v1/invites/accept", { token: invitee.accessToken, body: { token } });
    expect(accepted.body).toMatchObject({ id: fx.orgId, role: "admin" });
    const again = await call("POST", "/v1/invites/accept", { token: invitee.accessToken, body: { token } });
    expect([again.status, errorCode(again)]).toEqual([401, "token_invalid"]);
    expect(
      (await call("GET", `/v1/orgs/${fx.orgId}/invites`, { token: fx.admin.accessToken })).body.data.map((i: { id: string }) => i.id),
    ).not.toContain(invite.body.id);
  });

  it("refuses another account, an expired link, a revoked link and an existing member", async () => {
    const invitee = await createUser("i2");
    await call("POST", `/v1/orgs/${fx.orgId}/invites`, { token: fx.owner.accessToken, body: { email: invitee.email, role: "member" } });
    const token = await tokenFromMail(invitee.email);
    const stranger = await call("POST", "/v1/invites/accept", { token: fx.outsider.accessToken, body: { token } });
    expect([stranger.status, errorCode(stranger)]).toEqual([403, "forbidden"]);

    await env.DB.prepare("UPDATE invites SET expires_at = ? WHERE email = ?")
      .bind(Date.now() - 1, invitee.email)
      .run();
    const expired = await call("POST", "/v1/invites/accept", { token: invitee.accessToken, body: { token } });
    expect([expired.status, errorCode(expired)]).toEqual([401, "token_expired"]);

    const re = await call("POST", `/v1/orgs/${fx.orgId}/invites`, {
      token: fx.owner.accessToken,
      body: { email: invitee.email, role: "member" },
    });
    const reToken = await tokenFromMail(invitee.email);
    expect((await call("DELETE", `/v1/orgs/${fx.orgId}/invites/${re.body.id}`, { token: fx.owner.accessToken })).status).toBe(204);
    const revoked = await call("POST", "/v1/invites/accept", { token: invitee.accessToken, body: { token: reToken } });
    expect([revoked.status, errorCode(revoked)]).toEqual([401, "token_invalid"]);

    const member = await call("POST", `/v1/orgs/${fx.orgId}/invites`, {
      token: fx.owner.accessToken,
      body: { email: fx.member.email, role: "member" },
    });
    expect([member.status, errorCode(member)]).toEqual([409, "conflict"]);
  });

  it("inviting an address again replaces its open invite", async () => {
    const email = `again-${Date.now()}@example.test`;
    const first = await call("POST", `/v1/orgs/${fx.orgId}/invites`, { token: fx.owner.accessToken, body: { email, role: "member" } });
    const second = await call("POST", `/v1/orgs/${fx.orgId}/invites`, { token: fx.owner.accessToken, body: { email, role: "admin" } });
    const open = (await call("GET", `/v1/orgs/${fx.orgId}/invites`, { token: fx.owner.accessToken })).body.data.filter(
      (i: { email: string }) => i.email === email,
    );
    expect(open.map((i: { id: string }) => i.id)).toEqual([second.body.id]);
    expect(first.body.id).not.toBe(second.body.id);
  });

  it("only an owner may invite an owner", async () => {
    const res = await call("POST", `/v1/orgs/${fx.orgId}/invites`, {
      token: fx.admin.accessToken,
      body: { email: "boss@example.test", role: "owner" },
    });
    expect(res.status).toBe(403);
  });
});
