import { ANY_USER, type MatrixCase, OWNER_ONLY, succeedsWith } from "../../test/authz-matrix";
import { call } from "../../test/http";

export const tokensMatrix: MatrixCase[] = [
  { route: "GET /v1/me/tokens", sessionOnly: true, build: () => ({ method: "GET", path: "/v1/me/tokens" }), expected: ANY_USER },
  {
    route: "POST /v1/me/tokens",
    sessionOnly: true,
    build: () => ({ method: "POST", path: "/v1/me/tokens", options: { body: { name: "ci", scopes: ["catalog:read"] } } }),
    expected: succeedsWith(ANY_USER, 201),
  },
  {
    route: "DELETE /v1/me/tokens/:tokenId",
    sessionOnly: true,
    build: async (fx) => {
      const created = await call("POST", "/v1/me/tokens", { token: fx.owner.accessToken, body: { name: "t", scopes: ["orgs:read"] } });
      return { method: "DELETE", path: `/v1/me/tokens/${created.body.id}` };
    },
    expected: succeedsWith(OWNER_ONLY, 204),
  },
];
