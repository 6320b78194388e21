import { ANY_USER, type MatrixCase, ORG_READ, OWNER_ONLY, succeedsWith } from "../../test/authz-matrix";
import { PASSWORD } from "../../test/fixtures";
import { call } from "../../test/http";
import { freshLogin } from "./auth.authz.test-cases";

export const meMatrix: MatrixCase[] = [
  { route: "GET /v1/me", scope: "profile:read", build: () => ({ method: "GET", path: "/v1/me" }), expected: ANY_USER },
  {
    route: "PUT /v1/me/active-org",
    scope: "profile:read",
    build: (fx) => ({ method: "PUT", path: "/v1/me/active-org", options: { body: { orgId: fx.orgId } } }),
    expected: succeedsWith(ORG_READ, 204),
  },
  { route: "GET /v1/me/sessions", sessionOnly: true, build: () => ({ method: "GET", path: "/v1/me/sessions" }), expected: ANY_USER },
  {
    route: "DELETE /v1/me/sessions/:sessionId",
    sessionOnly: true,
    // A fresh session of the owner each time: only the owner may end it.
    build: async (fx) => {
      const { accessToken } = await freshLogin(fx.owner.email);
      const sessions = await call("GET", "/v1/me/sessions", { token: accessToken });
      const current = sessions.body.data.find((s: { current: boolean }) => s.current);
      return { method: "DELETE", path: `/v1/me/sessions/${current.id}` };
    },
    expected: succeedsWith(OWNER_ONLY, 204),
  },
  {
    route: "PUT /v1/me/password",
    sessionOnly: true,
    // The same password again: every actor keeps theirs (and the session calling stays).
    build: () => ({ method: "PUT", path: "/v1/me/password", options: { body: { currentPassword: PASSWORD, newPassword: PASSWORD } } }),
    expected: succeedsWith(ANY_USER, 204),
  },
];
