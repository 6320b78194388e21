import {
  ANY_USER,
  type MatrixCase,
  type MatrixRequest,
  ORG_ADMIN,
  ORG_READ,
  OWNER_ONLY,
  PUBLIC,
  succeedsWith,
} from "../../test/authz-matrix";
import { insertItem } from "../../test/catalog-fixtures";
import { insertActivation, insertLicense } from "../../test/license-fixtures";

/** The License API takes only a key: a real one here, so every caller gets a full `valid` answer. */
const licenseCall = async (path: string, orgId: string, userId: string, activated: boolean): Promise<MatrixRequest> => {
  const license = await insertLicense(orgId, userId);
  const fingerprint = activated ? (await insertActivation(license.id)).fingerprint : "matrix-machine";
  return { method: "POST", path, options: { body: { key: license.key, item: license.item.slug, fingerprint } } };
};

export const licensesMatrix: MatrixCase[] = [
  {
    route: "POST /v1/licenses/validate",
    public: true,
    build: (fx) => licenseCall("/v1/licenses/validate", fx.orgId, fx.owner.id, true),
    expected: PUBLIC,
  },
  {
    route: "POST /v1/licenses/activate",
    public: true,
    build: (fx) => licenseCall("/v1/licenses/activate", fx.orgId, fx.owner.id, false),
    expected: PUBLIC,
  },
  {
    route: "POST /v1/licenses/deactivate",
    public: true,
    build: (fx) => licenseCall("/v1/licenses/deactivate", fx.orgId, fx.owner.id, true),
    expected: PUBLIC,
  },
  { route: "GET /v1/me/licenses", scope: "payments:read", build: () => ({ method: "GET", path: "/v1/me/licenses" }), expected: ANY_USER },
  {
    // The owner's own license: only they may remove its activations; everyone else is told it does not exist.
    route: "DELETE /v1/me/licenses/:licenseId/activations/:activationId",
    scope: "payments:write",
    build: async (fx) => {
      const license = await insertLicense(fx.orgId, fx.owner.id);
      const activation = await insertActivation(license.id);
      return { method: "DELETE", path: `/v1/me/licenses/${license.id}/activations/${activation.id}` };
    },
    expected: succeedsWith(OWNER_ONLY, 204),
  },
  {
    route: "GET /v1/orgs/:orgId/items/:itemId/license-policy",
    scope: "catalog:read",
    build: async (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/items/${(await insertItem(fx.orgId)).id}/license-policy` }),
    expected: ORG_READ,
  },
  {
    route: "PUT /v1/orgs/:orgId/items/:itemId/license-policy",
    scope: "catalog:write",
    build: async (fx) => ({
      method: "PUT",
      path: `/v1/orgs/${fx.orgId}/items/${(await insertItem(fx.orgId)).id}/license-policy`,
      options: { body: { prefix: "GENX", maxActivations: 5 } },
    }),
    expected: ORG_ADMIN,
  },
  {
    route: "GET /v1/orgs/:orgId/items/:itemId/licenses",
    scope: "payments:read",
    build: async (fx) => {
      const license = await insertLicense(fx.orgId, fx.outsider.id);
      return { method: "GET", path: `/v1/orgs/${fx.orgId}/items/${license.itemId}/licenses?q=${license.lastGroup}` };
    },
    expected: ORG_READ,
  },
  {
    route: "GET /v1/orgs/:orgId/items/:itemId/licenses/:licenseId",
    scope: "payments:read",
    build: async (fx) => {
      const license = await insertLicense(fx.orgId, fx.outsider.id);
      return { method: "GET", path: `/v1/orgs/${fx.orgId}/items/${license.itemId}/licenses/${license.id}` };
    },
    expected: ORG_READ,
  },
  {
    // Each actor suspends a fresh key; the other actions share the route and its gate.
    route: "POST /v1/orgs/:orgId/items/:itemId/licenses/:licenseId/:action",
    scope: "payments:write",
    build: async (fx) => {
      const license = await insertLicense(fx.orgId, fx.outsider.id);
      return { method: "POST", path: `/v1/orgs/${fx.orgId}/items/${license.itemId}/licenses/${license.id}/suspend` };
    },
    expected: ORG_ADMIN,
  },
];
