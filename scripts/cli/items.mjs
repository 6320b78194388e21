// `plaza items list`: the org's items, every status, with their latest version.
import { createApiClient } from "./api.mjs";
import { parseCommandArgs, splitSubcommand } from "./args.mjs";
import { requireToken, resolveConnection } from "./config.mjs";
import { explainFailure } from "./failures.mjs";
import { orgLabel, resolveOrg } from "./orgs.mjs";
import { formatTable } from "./table.mjs";

export async function items(argv, { log = console.log } = {}) {
  const { subcommand, rest } = splitSubcommand("items", argv, ["list"]);
  if (subcommand === "help") return "help";
  const { values } = parseCommandArgs("items", rest, {
    org: { type: "string" },
    json: { type: "boolean" },
    token: { type: "string" },
  });
  if (values.help) return "help";
  const connection = resolveConnection(values);
  const api = createApiClient({ api: connection.api, token: requireToken(connection) });
  try {
    const org = await resolveOrg(api, values.org, "items");
    const { data } = await api.orgItems(org.orgId);
    if (values.json) log(JSON.stringify(data, null, 2));
    else if (data.length === 0) log(`No items in ${orgLabel(org)} yet: \`plaza init\`, then \`plaza publish --create\`.`);
    else
      log(
        formatTable(
          ["SLUG", "NAME", "STATUS", "LATEST"],
          data.map((i) => [i.slug, i.name, i.status, i.latestVersion ?? "-"]),
        ),
      );
  } catch (err) {
    throw explainFailure(err, connection);
  }
  return 0;
}
