/**
 * The authorization matrix: every /v1 route, called as anon, as a member of another org, as
 * member, admin and owner of the fixture org, and as a platform operator; then with personal API
 * tokens, as each case's token rule says (worker/test/authz-matrix.ts). Each module keeps its
 * cases in `<module>/*.authz.test-cases.ts`, found by name (worker/test/authz-cases.ts, shared with
 * the idempotency test); a module whose routes have no case, or a case for a route its module does
 * not have, fails the last test.
 */
import { beforeAll, expect, it } from "vitest";
import { casesOf, MATRIX_CASES, matrixFiles, matrixFolder } from "../../test/authz-cases";
import { expectMatrix } from "../../test/authz-matrix";
import { type OrgFixture, orgFixture } from "../../test/fixtures";
import { modules } from "../modules";

const routeKeys = (router: { routes: { method: string; path: string }[] }) =>
  [...new Set(router.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`))].sort();

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

for (const matrix of MATRIX_CASES) {
  it(matrix.route, () => expectMatrix(fx, matrix));
}

it("every module's routes have exactly one case each, kept in that module's folder (exported as `…Matrix`)", () => {
  for (const module of modules) {
    const registered = "routes" in module ? routeKeys(module.routes) : [];
    expect(
      casesOf(module)
        .map((c) => c.route)
        .sort(),
      module.name,
    ).toEqual(registered);
  }
  // No matrix file outside a module's folder (it would never run).
  const folders = new Set(modules.map(matrixFolder));
  expect(Object.keys(matrixFiles).filter((path) => ![...folders].some((folder) => path.startsWith(folder)))).toEqual([]);
});
