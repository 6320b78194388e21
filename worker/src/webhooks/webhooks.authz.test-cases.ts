import { type MatrixCase, ORG_ADMIN, succeedsWith } from "../../test/authz-matrix";
import type { OrgFixture } from "../../test/fixtures";
import { call } from "../../test/http";
import { scriptedReceiver } from "../../test/webhook-receiver";

/**
 * An endpoint of the fixture's org (made by its owner, disabled until a case enables it), and a
 * test event sent to it: one each per fixture, shared by the cases that leave them in place.
 */
const endpoints = new Map<string, Promise<string>>();
const events = new Map<string, Promise<{ endpointId: string; eventId: string }>>();
function endpointOf(fx: OrgFixture) {
  if (!endpoints.has(fx.orgId)) endpoints.set(fx.orgId, newEndpoint(fx));
  return endpoints.get(fx.orgId)!;
}
function messageOf(fx: OrgFixture) {
  if (!events.has(fx.orgId)) events.set(fx.orgId, testMessage(fx));
  return events.get(fx.orgId)!;
}
async function newEndpoint(fx: OrgFixture) {
  const { url } = scriptedReceiver("authz-matrix", [200]);
  const res = await call("POST", `/v1/orgs/${fx.orgId}/webhooks/endpoints`, { token: fx.owner.accessToken, body: { url, enabled: false } });
  if (res.status !== 201) throw new Error(`endpoint: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}
async function testMessage(fx: OrgFixture) {
  const endpointId = await endpointOf(fx);
  const sent = await call("POST", `/v1/orgs/${fx.orgId}/webhooks/endpoints/${endpointId}/test`, { token: fx.owner.accessToken });
  return { endpointId, eventId: sent.body.eventId as string };
}
const base = (fx: OrgFixture) => `/v1/orgs/${fx.orgId}/webhooks`;

export const webhooksMatrix: MatrixCase[] = [
  {
    route: "GET /v1/orgs/:orgId/webhooks/endpoints",
    scope: "webhooks:read",
    build: (fx) => ({ method: "GET", path: `${base(fx)}/endpoints` }),
    expected: ORG_ADMIN,
  },
  {
    route: "POST /v1/orgs/:orgId/webhooks/endpoints",
    scope: "webhooks:write",
    build: (fx) => ({
      method: "POST",
      path: `${base(fx)}/endpoints`,
      options: { body: { url: scriptedReceiver("authz-matrix", [200]).url, enabled: false } },
    }),
    expected: succeedsWith(ORG_ADMIN, 201),
  },
  {
    route: "GET /v1/orgs/:orgId/webhooks/endpoints/:endpointId",
    scope: "webhooks:read",
    build: async (fx) => ({ method: "GET", path: `${base(fx)}/endpoints/${await endpointOf(fx)}` }),
    expected: ORG_ADMIN,
  },
  {
    route: "PATCH /v1/orgs/:orgId/webhooks/endpoints/:endpointId",
    scope: "webhooks:write",
    build: async (fx) => ({
      method: "PATCH",
      path: `${base(fx)}/endpoints/${await endpointOf(fx)}`,
      options: { body: { description: "changed" } },
    }),
    expected: ORG_ADMIN,
  },
  {
    route: "DELETE /v1/orgs/:orgId/webhooks/endpoints/:endpointId",
    scope: "webhooks:write",
    build: async (fx) => ({ method: "DELETE", path: `${base(fx)}/endpoints/${await newEndpoint(fx)}` }),
    expected: succeedsWith(ORG_ADMIN, 204),
  },
  {
    route: "POST /v1/orgs/:orgId/webhooks/endpoints/:endpointId/rotate-secret",
    scope: "webhooks:write",
    build: async (fx) => ({ method: "POST", path: `${base(fx)}/endpoints/${await endpointOf(fx)}/rotate-secret` }),
    expected: ORG_ADMIN,
  },
  {
    route: "POST /v1/orgs/:orgId/webhooks/endpoints/:endpointId/test",
    scope: "webhooks:write",
    build: async (fx) => ({ method: "POST", path: `${base(fx)}/endpoints/${await endpointOf(fx)}/test` }),
    expected: succeedsWith(ORG_ADMIN, 202),
  },
  {
    route: "POST /v1/orgs/:orgId/webhooks/endpoints/:endpointId/recover",
    scope: "webhooks:write",
    // Disabled endpoints refuse recovery (409).
    build: async (fx) => {
      const id = await endpointOf(fx);
      await call("PATCH", `${base(fx)}/endpoints/${id}`, { token: fx.owner.accessToken, body: { enabled: true } });
      return { method: "POST", path: `${base(fx)}/endpoints/${id}/recover`, options: { body: { since: 0 } } };
    },
    expected: succeedsWith(ORG_ADMIN, 202),
  },
  {
    route: "GET /v1/orgs/:orgId/webhooks/endpoints/:endpointId/attempts",
    scope: "webhooks:read",
    build: async (fx) => ({ method: "GET", path: `${base(fx)}/endpoints/${await endpointOf(fx)}/attempts` }),
    expected: ORG_ADMIN,
  },
  {
    route: "GET /v1/orgs/:orgId/webhooks/messages",
    scope: "webhooks:read",
    build: (fx) => ({ method: "GET", path: `${base(fx)}/messages` }),
    expected: ORG_ADMIN,
  },
  {
    route: "GET /v1/orgs/:orgId/webhooks/messages/:eventId",
    scope: "webhooks:read",
    build: async (fx) => ({ method: "GET", path: `${base(fx)}/messages/${(await messageOf(fx)).eventId}` }),
    expected: ORG_ADMIN,
  },
  {
    route: "GET /v1/orgs/:orgId/webhooks/messages/:eventId/attempts",
    scope: "webhooks:read",
    build: async (fx) => ({ method: "GET", path: `${base(fx)}/messages/${(await messageOf(fx)).eventId}/attempts` }),
    expected: ORG_ADMIN,
  },
  {
    route: "POST /v1/orgs/:orgId/webhooks/messages/:eventId/endpoints/:endpointId/resend",
    scope: "webhooks:write",
    build: async (fx) => {
      const { endpointId, eventId } = await messageOf(fx);
      await call("PATCH", `${base(fx)}/endpoints/${endpointId}`, { token: fx.owner.accessToken, body: { enabled: true } });
      return { method: "POST", path: `${base(fx)}/messages/${eventId}/endpoints/${endpointId}/resend` };
    },
    expected: succeedsWith(ORG_ADMIN, 202),
  },
];
