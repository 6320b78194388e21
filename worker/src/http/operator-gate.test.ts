/**
 * Every operator route, taken from the modules' routers (so a new one cannot be forgotten), answers
 * anyone who is not an operator exactly like a path that does not exist: 404 not_found, whatever
 * the method, the parameters or the body.
 */
import { beforeAll, expect, it } from "vitest";
import { TOKEN_SCOPES } from "../../../shared/roles";
import { createApiToken, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { modules } from "../modules";

const OPERATOR_ROUTES = modules
  .flatMap((m) => ("routes" in m ? m.routes.routes : []))
  .filter((r) => r.method !== "ALL" && r.path.startsWith("/v1/operator/"));

/** A concrete path for a route pattern: every `:param` filled with something that names nothing. */
const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, "x");

let fx: OrgFixture;
let everyScopeToken: string;
beforeAll(async () => {
  fx = await orgFixture();
  everyScopeToken = await createApiToken(fx.owner, TOKEN_SCOPES);
});

it("finds the operator routes", () => {
  expect(OPERATOR_ROUTES.map((r) => `${r.method} ${r.path}`)).toEqual(
    expect.arrayContaining(["POST /v1/operator/items/:itemId/moderation", "GET /v1/operator/mail"]),
  );
});

it("answers 404 not_found to anyone but an operator on every operator route, before validation or method checks", async () => {
  const callers = { anon: undefined, outsider: fx.outsider.accessToken, owner: fx.owner.accessToken, "owner's API token": everyScopeToken };
  const answers: Record<string, string> = {};
  for (const route of OPERATOR_ROUTES) {
    for (const [who, token] of Object.entries(callers)) {
      for (const method of [route.method, "DELETE"]) {
        // Malformed either way: a query no route accepts, or a body that is not JSON.
        const res =
          method === "GET"
            ? await call(method, `${concrete(route.path)}?limit=-1&status=nope&cursor=%`, { token })
            : await call(method, concrete(route.path), { token, rawBody: "{not json" });
        answers[`${who} ${method} ${route.path}`] = `${res.status} ${errorCode(res)}`;
      }
    }
  }
  expect(Object.entries(answers).filter(([, answer]) => answer !== "404 not_found")).toEqual([]);
  // The operator gets past the gate on the same requests (400, 404 of a missing row, 405...).
  const operatorAnswers = await Promise.all(
    OPERATOR_ROUTES.filter((r) => r.method === "GET").map(
      async (r) => (await call("GET", concrete(r.path), { token: fx.operator.accessToken })).status,
    ),
  );
  expect(operatorAnswers.filter((status) => status === 200).length).toBeGreaterThan(0);
});
