/**
 * The authorization matrix: every /v1 route, called as anon, as a member of another org, as
 * member, admin and owner of the fixture org, and as a platform operator. Each domain keeps its
 * cases in `*.authz.ts`; the last test fails when a registered route has no case.
 */
import { beforeAll, expect, it } from "vitest";
import { expectMatrix, type MatrixCase } from "../../test/authz-matrix";
import { type OrgFixture, orgFixture } from "../../test/fixtures";
import { api } from "../api";
import { auditMatrix } from "../audit/audit.authz";
import { authMatrix } from "../auth/auth.authz";
import { meMatrix } from "../auth/me.authz";
import { billingMatrix } from "../billing/billing.authz";
import { catalogMatrix } from "../catalog/catalog.authz";
import { checkoutMatrix } from "../checkout/checkout.authz";
import { connectMatrix } from "../connect/connect.authz";
import { cspReportsMatrix } from "../csp-reports/csp-reports.authz";
import { downloadsMatrix } from "../downloads/downloads.authz";
import { entitlementsMatrix } from "../entitlements/entitlements.authz";
import { ledgerMatrix } from "../ledger/ledger.authz";
import { licensesMatrix } from "../licenses/licenses.authz";
import { mailMatrix } from "../mail/mail.authz";
import { moderationMatrix } from "../moderation/moderation.authz";
import { ordersMatrix } from "../orders/orders.authz";
import { orgsMatrix } from "../orgs/orgs.authz";
import { projectsMatrix } from "../projects/projects.authz";
import { reviewsMatrix } from "../reviews/reviews.authz";
import { roomsMatrix } from "../rooms/rooms.authz";
import { stripeMatrix } from "../stripe/stripe.authz";
import { tokensMatrix } from "../tokens/tokens.authz";
import { webhooksMatrix } from "../webhooks/webhooks.authz";

const CASES: MatrixCase[] = [
  ...authMatrix,
  ...meMatrix,
  ...tokensMatrix,
  ...orgsMatrix,
  ...auditMatrix,
  ...catalogMatrix,
  ...entitlementsMatrix,
  ...reviewsMatrix,
  ...moderationMatrix,
  ...downloadsMatrix,
  ...connectMatrix,
  ...checkoutMatrix,
  ...stripeMatrix,
  ...ordersMatrix,
  ...billingMatrix,
  ...ledgerMatrix,
  ...licensesMatrix,
  ...mailMatrix,
  ...webhooksMatrix,
  ...projectsMatrix,
  ...roomsMatrix,
  ...cspReportsMatrix,
];

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

for (const matrix of CASES) {
  it(matrix.route, () => expectMatrix(fx, matrix));
}

it("every /v1 route has exactly one authorization matrix", () => {
  const registered = [...new Set(api.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`))].sort();
  const covered = CASES.map((c) => c.route).sort();
  expect(covered).toEqual(registered);
});
