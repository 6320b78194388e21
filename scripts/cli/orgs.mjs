// Which org a command acts in, and which org holds an item: from --org or the token's memberships.
import { ApiError } from "./api.mjs";
import { CliError, UsageError } from "./errors.mjs";

/** Org ids are `org_…`; org slugs cannot hold an underscore, so the two never clash. */
const ORG_ID = /^org_/;

/** How a command names an org in its messages. */
export const orgLabel = (org) => (org.slug ? `the org "${org.slug}"` : `the org ${org.orgId}`);

/** The token's orgs ({ orgId, slug, name, role }). Only /v1/me lists them, and it needs profile:read. */
async function memberships(api) {
  try {
    return (await api.me()).orgs;
  } catch (err) {
    if (err instanceof ApiError && err.code === "insufficient_scope") {
      throw new CliError("Plaza will not say which orgs your token belongs to: it lacks the profile:read scope.", {
        hint: "Pass the org's id as --org org_…, or use a token with the profile:read scope.",
      });
    }
    throw err;
  }
}

/**
 * The one org a command acts in: --org (an org id as given, a slug looked up among your orgs), else
 * the token's only org. Several orgs and no --org is a usage error: guessing could act in the wrong one.
 * @param {{ me: () => Promise<any> }} api @param {string | undefined} orgFlag @param {string} command
 * @returns {Promise<{ orgId: string, slug?: string, name?: string }>}
 */
export async function resolveOrg(api, orgFlag, command) {
  if (orgFlag && ORG_ID.test(orgFlag)) return { orgId: orgFlag };
  const orgs = await memberships(api);
  if (orgFlag) {
    const org = orgs.find((o) => o.slug === orgFlag);
    if (org) return org;
    throw new CliError(`You are not a member of an org "${orgFlag}".`, {
      details: orgs.map((o) => `${o.slug}  ${o.name}  (${o.role})`),
      hint: orgs.length ? "Pass one of the slugs above as --org." : undefined,
    });
  }
  if (orgs.length === 1) return orgs[0];
  if (orgs.length === 0) throw new CliError("Your account belongs to no org yet.", { hint: "Create one in the Plaza web app." });
  throw new UsageError(`You belong to ${orgs.length} orgs (${orgs.map((o) => o.slug).join(", ")}): pass --org <slug>`, command);
}

/**
 * The item `slug` with its org, searched in the org --org names, or in every org of the token:
 * slugs are global, so at most one holds it, and a draft is found as well as a published item.
 */
export async function findOrgItem(api, slug, orgFlag, command) {
  const orgs = orgFlag ? [await resolveOrg(api, orgFlag, command)] : await memberships(api);
  for (const org of orgs) {
    const item = (await api.orgItems(org.orgId)).data.find((i) => i.slug === slug);
    if (item) return { org, item };
  }
  throw new CliError(`No item "${slug}" in ${orgFlag ? orgLabel(orgs[0]) : "your orgs"}.`, {
    hint: "`plaza items list` shows an org's items.",
  });
}
