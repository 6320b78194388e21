/**
 * The authorization matrix: every /v1 route, called as anon, as a member of another org, and as
 * member, admin and owner of the fixture org. The last test fails when a route has no matrix.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api } from "../api";
import { ANY_USER, expectMatrix, coveredRoutes, ORG_ADMIN, ORG_READ, OWNER_ONLY, PUBLIC, succeedsWith, type Actor } from "../../test/authz-matrix";
import { addMember, createOrg, createUser, orgFixture, PASSWORD, tokenFromMail, uniqueEmail, type OrgFixture, type TestUser } from "../../test/fixtures";
import { call } from "../../test/http";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

async function freshLogin(email: string) {
  const res = await call("POST", "/v1/auth/login", { body: { email, password: PASSWORD } });
  return res.body as { accessToken: string; refreshToken: string };
}

/** The user an actor acts as; anon gets a throwaway user for routes that need no login. */
async function userFor(actor: Actor, user: TestUser | undefined) {
  return user ?? (await createUser(`anon-${actor}`));
}

describe("auth routes need no login and behave the same for everyone", () => {
  it("POST /v1/auth/signup", () =>
    expectMatrix(fx, "POST /v1/auth/signup", () => ({ method: "POST", path: "/v1/auth/signup", options: { body: { email: uniqueEmail(), password: PASSWORD, name: "N" } } }), succeedsWith(PUBLIC, 201)));

  it("POST /v1/auth/verify-email", () =>
    expectMatrix(
      fx,
      "POST /v1/auth/verify-email",
      async () => {
        const email = uniqueEmail();
        await call("POST", "/v1/auth/signup", { body: { email, password: PASSWORD, name: "N" } });
        return { method: "POST", path: "/v1/auth/verify-email", options: { body: { token: await tokenFromMail(email) } } };
      },
      PUBLIC,
    ));

  it("POST /v1/auth/resend-verification", () =>
    expectMatrix(fx, "POST /v1/auth/resend-verification", () => ({ method: "POST", path: "/v1/auth/resend-verification", options: { body: { email: uniqueEmail() } } }), succeedsWith(PUBLIC, 202)));

  it("POST /v1/auth/login", () =>
    expectMatrix(
      fx,
      "POST /v1/auth/login",
      async (actor, user) => ({ method: "POST", path: "/v1/auth/login", options: { body: { email: (await userFor(actor, user)).email, password: PASSWORD } } }),
      PUBLIC,
    ));

  it("POST /v1/auth/refresh", () =>
    expectMatrix(
      fx,
      "POST /v1/auth/refresh",
      async (actor, user) => {
        const { refreshToken } = await freshLogin((await userFor(actor, user)).email);
        return { method: "POST", path: "/v1/auth/refresh", options: { body: { refreshToken } } };
      },
      PUBLIC,
    ));

  it("POST /v1/auth/logout", () =>
    expectMatrix(
      fx,
      "POST /v1/auth/logout",
      async (_actor, user) => ({ method: "POST", path: "/v1/auth/logout", options: { token: user ? (await freshLogin(user.email)).accessToken : undefined } }),
      succeedsWith(ANY_USER, 204),
    ));
});

describe("me", () => {
  it("GET /v1/me", () => expectMatrix(fx, "GET /v1/me", () => ({ method: "GET", path: "/v1/me" }), ANY_USER));

  it("PUT /v1/me/active-org", () =>
    expectMatrix(fx, "PUT /v1/me/active-org", () => ({ method: "PUT", path: "/v1/me/active-org", options: { body: { orgId: fx.orgId } } }), succeedsWith(ORG_READ, 204)));

  it("GET /v1/me/sessions", () => expectMatrix(fx, "GET /v1/me/sessions", () => ({ method: "GET", path: "/v1/me/sessions" }), ANY_USER));

  it("DELETE /v1/me/sessions/:sessionId revokes only your own session", () =>
    expectMatrix(
      fx,
      "DELETE /v1/me/sessions/:sessionId",
      async () => {
        // A fresh session of the owner each time: only the owner may end it.
        const { accessToken } = await freshLogin(fx.owner.email);
        const sessions = await call("GET", "/v1/me/sessions", { token: accessToken });
        const current = sessions.body.data.find((s: { current: boolean }) => s.current);
        return { method: "DELETE", path: `/v1/me/sessions/${current.id}` };
      },
      succeedsWith(OWNER_ONLY, 204),
    ));

  it("GET /v1/me/tokens", () => expectMatrix(fx, "GET /v1/me/tokens", () => ({ method: "GET", path: "/v1/me/tokens" }), ANY_USER));

  it("POST /v1/me/tokens", () =>
    expectMatrix(fx, "POST /v1/me/tokens", () => ({ method: "POST", path: "/v1/me/tokens", options: { body: { name: "ci", scopes: ["catalog:read"] } } }), succeedsWith(ANY_USER, 201)));

  it("DELETE /v1/me/tokens/:tokenId revokes only your own token", () =>
    expectMatrix(
      fx,
      "DELETE /v1/me/tokens/:tokenId",
      async () => {
        const created = await call("POST", "/v1/me/tokens", { token: fx.owner.accessToken, body: { name: "t", scopes: ["orgs:read"] } });
        return { method: "DELETE", path: `/v1/me/tokens/${created.body.id}` };
      },
      succeedsWith(OWNER_ONLY, 204),
    ));
});

describe("orgs", () => {
  let n = 0;
  it("POST /v1/orgs", () =>
    expectMatrix(fx, "POST /v1/orgs", () => ({ method: "POST", path: "/v1/orgs", options: { body: { name: "New", slug: `matrix-${++n}-${Date.now().toString(36)}` } } }), succeedsWith(ANY_USER, 201)));

  it("GET /v1/orgs/:orgId", () => expectMatrix(fx, "GET /v1/orgs/:orgId", () => ({ method: "GET", path: `/v1/orgs/${fx.orgId}` }), ORG_READ));

  it("PATCH /v1/orgs/:orgId", () =>
    expectMatrix(fx, "PATCH /v1/orgs/:orgId", () => ({ method: "PATCH", path: `/v1/orgs/${fx.orgId}`, options: { body: { name: "Renamed" } } }), ORG_ADMIN));

  it("GET /v1/orgs/:orgId/members", () => expectMatrix(fx, "GET /v1/orgs/:orgId/members", () => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/members` }), ORG_READ));

  it("PATCH /v1/orgs/:orgId/members/:userId", () =>
    expectMatrix(
      fx,
      "PATCH /v1/orgs/:orgId/members/:userId",
      async () => {
        const target = await createUser("target");
        await addMember(fx.owner, fx.orgId, target, "member");
        return { method: "PATCH", path: `/v1/orgs/${fx.orgId}/members/${target.id}`, options: { body: { role: "admin" } } };
      },
      ORG_ADMIN,
    ));

  it("DELETE /v1/orgs/:orgId/members/:userId", () =>
    expectMatrix(
      fx,
      "DELETE /v1/orgs/:orgId/members/:userId",
      async () => {
        const target = await createUser("target");
        await addMember(fx.owner, fx.orgId, target, "member");
        return { method: "DELETE", path: `/v1/orgs/${fx.orgId}/members/${target.id}` };
      },
      succeedsWith(ORG_ADMIN, 204),
    ));

  it("GET /v1/orgs/:orgId/invites", () => expectMatrix(fx, "GET /v1/orgs/:orgId/invites", () => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/invites` }), ORG_ADMIN));

  it("POST /v1/orgs/:orgId/invites", () =>
    expectMatrix(
      fx,
      "POST /v1/orgs/:orgId/invites",
      () => ({ method: "POST", path: `/v1/orgs/${fx.orgId}/invites`, options: { body: { email: uniqueEmail("invitee"), role: "member" } } }),
      succeedsWith(ORG_ADMIN, 201),
    ));

  it("DELETE /v1/orgs/:orgId/invites/:inviteId", () =>
    expectMatrix(
      fx,
      "DELETE /v1/orgs/:orgId/invites/:inviteId",
      async () => {
        const invite = await call("POST", `/v1/orgs/${fx.orgId}/invites`, { token: fx.owner.accessToken, body: { email: uniqueEmail("invitee"), role: "member" } });
        return { method: "DELETE", path: `/v1/orgs/${fx.orgId}/invites/${invite.body.id}` };
      },
      succeedsWith(ORG_ADMIN, 204),
    ));

  it("POST /v1/invites/accept: anyone logged in with the invited address", async () => {
    const host = await createUser("host");
    const org = await createOrg(host);
    await expectMatrix(
      fx,
      "POST /v1/invites/accept",
      async (actor, user) => {
        const invitee = await userFor(actor, user);
        await call("POST", `/v1/orgs/${org.id}/invites`, { token: host.accessToken, body: { email: invitee.email, role: "member" } });
        return { method: "POST", path: "/v1/invites/accept", options: { body: { token: await tokenFromMail(invitee.email) } } };
      },
      ANY_USER,
    );
  });

  it("GET /v1/orgs/:orgId/audit-log", () => expectMatrix(fx, "GET /v1/orgs/:orgId/audit-log", () => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/audit-log` }), ORG_ADMIN));
});

it("every /v1 route has an authorization matrix", () => {
  const registered = new Set(api.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`));
  expect([...registered].filter((r) => !coveredRoutes.has(r)).sort()).toEqual([]);
  expect([...coveredRoutes].filter((r) => !registered.has(r)).sort()).toEqual([]);
});
