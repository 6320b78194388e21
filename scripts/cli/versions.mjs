// `plaza versions list <slug>`, `plaza yank <slug>@<version>` and `plaza unyank <slug>@<version>`.
import { ITEM_SLUG, SemverString } from "../../shared/manifest.ts";
import { ApiError, createApiClient } from "./api.mjs";
import { parseCommandArgs, splitSubcommand } from "./args.mjs";
import { requireToken, resolveConnection } from "./config.mjs";
import { CliError, UsageError } from "./errors.mjs";
import { explainFailure, withRequestId } from "./failures.mjs";
import { findOrgItem } from "./orgs.mjs";
import { formatTable, formatTime } from "./table.mjs";

const OPTIONS = { org: { type: "string" }, token: { type: "string" } };

function connect(values) {
  const connection = resolveConnection(values);
  return { connection, api: createApiClient({ api: connection.api, token: requireToken(connection) }) };
}

export async function versions(argv, { log = console.log } = {}) {
  const { subcommand, rest } = splitSubcommand("versions", argv, ["list"]);
  if (subcommand === "help") return "help";
  const { values, positionals } = parseCommandArgs("versions", rest, { ...OPTIONS, json: { type: "boolean" } }, { maxPositionals: 1 });
  if (values.help) return "help";
  const slug = positionals[0];
  if (!slug) throw new UsageError("Missing the item's slug", "versions");
  const { connection, api } = connect(values);
  try {
    const { org, item } = await findOrgItem(api, slug, values.org, "versions");
    const { data } = await api.itemVersions(org.orgId, item.id);
    if (values.json) log(JSON.stringify(data, null, 2));
    else if (data.length === 0) log(`${slug} has no versions yet: \`plaza publish\` uploads one.`);
    else {
      const rows = data.map((v) => [v.version, v.channel, v.yanked ? "yanked" : "", formatTime(v.createdAt)]);
      log(formatTable(["VERSION", "CHANNEL", "YANKED", "PUBLISHED"], rows));
    }
  } catch (err) {
    throw explainFailure(err, connection);
  }
  return 0;
}

export const yank = (argv, io) => setYanked("yank", argv, io);
export const unyank = (argv, io) => setYanked("unyank", argv, io);

/** Yanking hides a version from new installs and keeps it for those who have it; unyank undoes it. */
async function setYanked(command, argv, { log = console.log } = {}) {
  const { values, positionals } = parseCommandArgs(command, argv, OPTIONS, { maxPositionals: 1 });
  if (values.help) return "help";
  const { slug, version } = parseRelease(positionals[0], command);
  const yanked = command === "yank";
  const { connection, api } = connect(values);
  try {
    const { org, item } = await findOrgItem(api, slug, values.org, command);
    await api.setYanked(org.orgId, item.id, version, yanked).catch((err) => {
      if (!(err instanceof ApiError && err.code === "not_found")) throw err;
      throw withRequestId(
        new CliError(`${slug} has no version ${version}.`, { hint: `\`plaza versions list ${slug}\` shows its versions.` }),
        err,
      );
    });
  } catch (err) {
    throw explainFailure(err, connection);
  }
  log(
    yanked
      ? `Yanked ${slug}@${version}: hidden from new installs; those who have it keep it.`
      : `Restored ${slug}@${version}: installable again.`,
  );
  return 0;
}

/** `my-plugin@1.2.0` → its slug and version, each checked as plaza.json would be. */
function parseRelease(value, command) {
  if (!value) throw new UsageError("Missing <slug>@<version>, e.g. my-plugin@1.2.0", command);
  const at = value.lastIndexOf("@");
  const [slug, version] = at > 0 ? [value.slice(0, at), value.slice(at + 1)] : [value, ""];
  if (!version) throw new UsageError(`Name the version as <slug>@<version>, e.g. ${slug}@1.2.0`, command);
  if (!ITEM_SLUG.test(slug)) throw new UsageError(`"${slug}" is not an item slug: lowercase letters, digits and inner hyphens`, command);
  const checked = SemverString.safeParse(version);
  if (!checked.success) throw new UsageError(`"${version}" ${checked.error.issues[0].message}`, command);
  return { slug, version };
}
