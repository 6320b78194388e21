import { ANY_USER, type MatrixCase, ORG_ADMIN, ORG_READ, succeedsWith, userFor } from "../../test/authz-matrix";
import { addMember, createOrg, createUser, type TestUser, tokenFromMail, uniqueEmail } from "../../test/fixtures";
import { call } from "../../test/http";

let n = 0;

/** A fresh member of the fixture org, to change or remove. */
async function freshMember(fx: { owner: Parameters<typeof addMember>[0]; orgId: string }) {
  const target = await createUser("target");
  await addMember(fx.owner, fx.orgId, target, "member");
  return target;
}

let host: TestUser | undefined;

export const orgsMatrix: MatrixCase[] = [
  {
    route: "GET /v1/orgs/:orgId/audit-log",
    scope: "audit:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/audit-log` }),
    expected: ORG_ADMIN,
  },
  {
    route: "POST /v1/orgs",
    scope: "orgs:write",
    build: () => ({
      method: "POST",
      path: "/v1/orgs",
      options: { body: { name: "New", slug: `matrix-${++n}-${Date.now().toString(36)}` } },
    }),
    expected: succeedsWith(ANY_USER, 201),
  },
  {
    route: "GET /v1/orgs/:orgId",
    scope: "orgs:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}` }),
    expected: ORG_READ,
  },
  {
    route: "PATCH /v1/orgs/:orgId",
    scope: "orgs:write",
    build: (fx) => ({ method: "PATCH", path: `/v1/orgs/${fx.orgId}`, options: { body: { name: "Renamed" } } }),
    expected: ORG_ADMIN,
  },
  {
    route: "GET /v1/orgs/:orgId/members",
    scope: "orgs:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/members` }),
    expected: ORG_READ,
  },
  {
    route: "PATCH /v1/orgs/:orgId/members/:userId",
    scope: "members:write",
    build: async (fx) => ({
      method: "PATCH",
      path: `/v1/orgs/${fx.orgId}/members/${(await freshMember(fx)).id}`,
      options: { body: { role: "admin" } },
    }),
    expected: ORG_ADMIN,
  },
  {
    route: "DELETE /v1/orgs/:orgId/members/:userId",
    scope: "members:write",
    build: async (fx) => ({ method: "DELETE", path: `/v1/orgs/${fx.orgId}/members/${(await freshMember(fx)).id}` }),
    expected: succeedsWith(ORG_ADMIN, 204),
  },
  {
    route: "GET /v1/orgs/:orgId/invites",
    scope: "orgs:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/invites` }),
    expected: ORG_ADMIN,
  },
  {
    route: "POST /v1/orgs/:orgId/invites",
    scope: "members:write",
    build: (fx) => ({
      method: "POST",
      path: `/v1/orgs/${fx.orgId}/invites`,
      options: { body: { email: uniqueEmail("invitee"), role: "member" } },
    }),
    expected: succeedsWith(ORG_ADMIN, 201),
  },
  {
    route: "DELETE /v1/orgs/:orgId/invites/:inviteId",
    scope: "members:write",
    build: async (fx) => {
      const invite = await call("POST", `/v1/orgs/${fx.orgId}/invites`, {
        token: fx.owner.accessToken,
        body: { email: uniqueEmail("invitee"), role: "member" },
      });
      return { method: "DELETE", path: `/v1/orgs/${fx.orgId}/invites/${invite.body.id}` };
    },
    expected: succeedsWith(ORG_ADMIN, 204),
  },
  {
    route: "POST /v1/invites/accept",
    scope: "orgs:write",
    // Anyone logged in with the invited address may accept; the invite comes from a fresh third
    // org each time (the same actor accepts again with API tokens, and a member cannot be invited).
    build: async (_fx, actor, user) => {
      host ??= await createUser("host");
      const org = await createOrg(host);
      const invitee = await userFor(actor, user, createUser);
      await call("POST", `/v1/orgs/${org.id}/invites`, { token: host.accessToken, body: { email: invitee.email, role: "member" } });
      return { method: "POST", path: "/v1/invites/accept", options: { body: { token: await tokenFromMail(invitee.email) } } };
    },
    expected: ANY_USER,
  },
];
