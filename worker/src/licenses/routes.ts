import { createRoute, z } from "@hono/zod-openapi";
import { Cursor, Limit, OrgId, page } from "../../../shared/api";
import { ItemId } from "../../../shared/catalog";
import {
  ItemLicense,
  ItemLicenseDetail,
  ItemLicenseQuery,
  LICENSE_ACTIONS,
  LicenseActivateBody,
  LicenseActivationId,
  LicenseAnswer,
  LicenseDeactivateBody,
  LicenseId,
  LicensePolicy,
  LicensePolicyBody,
  LicenseValidateBody,
  MyLicense,
} from "../../../shared/licenses";
import { requireOrgRole, requirePrincipal } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, jsonBody, noContent, notFoundError, rateLimitedError } from "../http/openapi-helpers";
import { actOnItemLicense, itemLicense, listItemLicenses } from "./item-licenses";
import * as service from "./service";

const tags = ["Licenses"];

const COMMON = `For plugins: no session or token needed, only the key. Always 200 with \`{ valid, code, license? }\`:
\`valid\` is true exactly when \`code\` is \`valid\`. Checks run in this order and the first that fails is the code:
\`not_found\` (unknown, malformed or wrong-prefix key: these are indistinguishable), \`item_mismatch\` (the key belongs
to another item), then the license's state: \`revoked\` (refunded or ended subscription), \`suspended\`, \`disputed\`
(frozen while the purchase's payment is disputed), \`expired\`
(a subscription past its period and grace). \`license\` is present once the key was found for this item, whatever its
state. Any code other than \`valid\` means nothing changed. Keys are read in any case, dashes optional.
Rate limit: \`LICENSE_API_RATE_LIMIT\` (default 60) requests a minute per IP and per key, then
\`429 rate_limited\` with \`Retry-After\`.`;

const licenseResponses = {
  200: json(LicenseAnswer, "The answer; see `code`"),
  400: authErrors[400],
  ...rateLimitedError,
};

export const licenseRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/licenses/validate",
      tags,
      summary: "Check a license key for an item (and, with a fingerprint, for an activated installation)",
      description: `${COMMON}\n\nWithout \`fingerprint\`: \`valid\` if the key is good for the item. With one: also
\`fingerprint_mismatch\` unless the key is activated on that fingerprint (then call activate); a valid check records
when the installation was last seen.`,
      request: jsonBody(LicenseValidateBody),
      responses: licenseResponses,
    }),
    async (c) => c.json(await service.validateLicense(c.var.ctx, c.req.valid("json")), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/licenses/activate",
      tags,
      summary: "Activate a license key on an installation (fingerprint), within the item's activation limit",
      description: `${COMMON}\n\nIdempotent per fingerprint: activating the same fingerprint again is \`valid\` and only
updates its name and last-seen time (so no Idempotency-Key is needed). A new fingerprint when the license already has
its maximum (\`maxActivations\`, per item, default 3) is \`too_many_activations\`: deactivate one first.`,
      request: jsonBody(LicenseActivateBody),
      responses: licenseResponses,
    }),
    async (c) => c.json(await service.activateLicense(c.var.ctx, c.req.valid("json")), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/licenses/deactivate",
      tags,
      summary: "Free an installation's activation of a license key",
      description: `${COMMON}\n\n\`valid\` when the activation was removed (\`license.activations\` counts the rest);
\`fingerprint_mismatch\` when the key is not activated on that fingerprint (for instance already deactivated).`,
      request: jsonBody(LicenseDeactivateBody),
      responses: licenseResponses,
    }),
    async (c) => c.json(await service.deactivateLicense(c.var.ctx, c.req.valid("json")), 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/me/licenses",
      tags,
      summary: "Your license keys (masked: the full key is shown once, at purchase), with their activations",
      security: bearer,
      responses: { 200: json(z.object({ data: z.array(MyLicense) }), "Your licenses, newest first"), ...authErrors },
    }),
    async (c) =>
      c.json({ data: await service.listMyLicenses(c.var.ctx, requirePrincipal(c.get("principal"), "payments:read").userId) }, 200),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/v1/me/licenses/{licenseId}/activations/{activationId}",
      tags,
      summary: "Deactivate one of your license's installations, e.g. a machine you no longer use",
      security: bearer,
      request: { params: z.object({ licenseId: LicenseId, activationId: LicenseActivationId }) },
      responses: { ...noContent, ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "payments:write");
      const { licenseId, activationId } = c.req.valid("param");
      await service.removeMyActivation(c.var.ctx, { userId: p.userId, licenseId, activationId });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/items/{itemId}/license-policy",
      tags,
      summary: "An item's license settings: key prefix and activation limit (defaults until set)",
      security: bearer,
      request: { params: z.object({ orgId: OrgId, itemId: ItemId }) },
      responses: { 200: json(LicensePolicy, "The policy"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId, itemId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "member", "catalog:read");
      return c.json(await service.getLicensePolicy(c.var.ctx, { orgId: access.orgId, itemId }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/v1/orgs/{orgId}/items/{itemId}/license-policy",
      tags,
      summary: "Set an item's key prefix and/or activation limit (admin); keys issued earlier keep theirs",
      security: bearer,
      request: { params: z.object({ orgId: OrgId, itemId: ItemId }), ...jsonBody(LicensePolicyBody) },
      responses: { 200: json(LicensePolicy, "The new policy"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId, itemId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "catalog:write");
      return c.json(await service.setLicensePolicy(c.var.ctx, { access, itemId, policy: c.req.valid("json") }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/items/{itemId}/licenses",
      tags,
      summary: "An item's license keys, newest first, masked, with the buyer's e-mail; `q` searches",
      description: `\`q\` is the key's last group (any case; the whole masked or full key works too) or part of the
buyer's e-mail. Keys are stored hashed: nobody sees more of a key than its prefix and last group.`,
      security: bearer,
      request: {
        params: z.object({ orgId: OrgId, itemId: ItemId }),
        query: ItemLicenseQuery.extend({ cursor: Cursor.optional(), limit: Limit }),
      },
      responses: { 200: json(page(ItemLicense), "A page of keys"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId, itemId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "member", "payments:read");
      return c.json(await listItemLicenses(c.var.ctx, { orgId: access.orgId, itemId, ...c.req.valid("query") }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/items/{itemId}/licenses/{licenseId}",
      tags,
      summary: "One of an item's license keys with its activations",
      security: bearer,
      request: { params: z.object({ orgId: OrgId, itemId: ItemId, licenseId: LicenseId }) },
      responses: { 200: json(ItemLicenseDetail, "The key"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId, itemId, licenseId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "member", "payments:read");
      return c.json(await itemLicense(c.var.ctx, { orgId: access.orgId, itemId, licenseId }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs/{orgId}/items/{itemId}/licenses/{licenseId}/{action}",
      tags,
      summary: "Suspend, reinstate or revoke one of an item's license keys, or reset its activations (admin)",
      description: `\`suspend\`: the License API answers \`suspended\` until the key is reinstated. \`reinstate\`: a
suspended key works again. \`revoke\`: final (as a refund would), announced as \`license.revoked\`. \`reset-activations\`:
frees every installation, which must activate again. Each is idempotent (asking for the state the key is in changes
nothing) and audited. A revoked key cannot be suspended or reinstated: 409.`,
      security: bearer,
      request: { params: z.object({ orgId: OrgId, itemId: ItemId, licenseId: LicenseId, action: z.enum(LICENSE_ACTIONS) }) },
      responses: { 200: json(ItemLicenseDetail, "The key now"), ...authErrors, ...notFoundError, ...conflictError },
    }),
    async (c) => {
      const { orgId, itemId, licenseId, action } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "payments:write");
      return c.json(await actOnItemLicense(c.var.ctx, { access, itemId, licenseId, action }), 200);
    },
  );
