// The item a first `plaza publish` names, created as a draft: with --create, or once the author says yes.
import { ApiError } from "./api.mjs";
import { CliError } from "./errors.mjs";
import { explainFailure, fieldLines, withRequestId } from "./failures.mjs";
import { MANIFEST_FILE } from "./manifest.mjs";
import { orgLabel, resolveOrg } from "./orgs.mjs";
import { isTerminal, openPrompter } from "./prompt.mjs";

/** The new item's fields as the server names them, in the terms of what the author set. */
const FIELD_SOURCES = { "body.slug": `name (${MANIFEST_FILE})`, "body.name": "--display-name", "body.category": "--category" };

/**
 * Creates the item `slug` in the org --org names (or the token's only org), as a draft that only
 * its org sees until someone publishes it in the web app. Without --create it asks on a terminal
 * and refuses elsewhere, so a typo in "name" never creates an item in a script.
 * @param {{ create?: boolean, org?: string, "display-name"?: string, category?: string }} values
 */
export async function createMissingItem(api, slug, values, connection, log) {
  if (!values.create && !isTerminal()) {
    throw new CliError(`Item "${slug}" does not exist on ${connection.api} (or belongs to an org you are not in).`, {
      hint: "Pass --create to create it as a draft and publish to it (--org <slug> picks the org), or create it in the web app.",
    });
  }
  const org = await resolveOrg(api, values.org, "publish");
  if (!values.create) {
    const question = `Item "${slug}" does not exist on ${connection.api}. Create it as a draft in ${orgLabel(org)}?`;
    if (!(await confirm(question))) {
      throw new CliError("Nothing was published.", { hint: "Pass --create to create the item, or create it in the web app." });
    }
  }
  const body = { slug, name: values["display-name"] ?? displayNameOf(slug), category: values.category ?? "other" };
  let item;
  try {
    item = await api.createItem(org.orgId, body);
  } catch (err) {
    throw creationFailure(err, slug, org, connection);
  }
  log(`Created the item "${slug}" in ${orgLabel(org)} as a draft. Describe it and publish it in the web app:`);
  log(`  ${api.studioUrl(item.id)}`);
}

async function confirm(question) {
  const prompter = openPrompter();
  try {
    return await prompter.confirm(question);
  } finally {
    prompter.close();
  }
}

/** `hello-cli` → `Hello Cli`: a starting name, edited in the web app like the rest. */
const displayNameOf = (slug) =>
  slug
    .split("-")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");

function creationFailure(err, slug, org, connection) {
  const hints = {
    invalid_request: "Fix the values named above and publish again.",
    conflict: `Slugs are global: pick another "name" in ${MANIFEST_FILE}.`,
    forbidden: "Creating items needs the admin or owner role in the org.",
  };
  if (!(err instanceof ApiError) || !hints[err.code]) return explainFailure(err, connection);
  const fields = Object.fromEntries(Object.entries(err.fields).map(([path, messages]) => [FIELD_SOURCES[path] ?? path, messages]));
  return withRequestId(
    new CliError(`Cannot create the item "${slug}" in ${orgLabel(org)}: ${err.message} (${err.status} ${err.code})`, {
      details: fieldLines(fields),
      hint: hints[err.code],
    }),
    err,
  );
}
