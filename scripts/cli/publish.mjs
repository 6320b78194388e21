// `plaza publish [dir]`: manifest → archive → resumable upload over tus (the server checks the
// version when the upload is created, verifies and publishes it after the last byte) → print its URL.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ApiError, createApiClient } from "./api.mjs";
import { parseCommandArgs } from "./args.mjs";
import { awaitVerification, uploadBundle } from "./bundle-upload.mjs";
import { requireToken, resolveConnection } from "./config.mjs";
import { createMissingItem } from "./create-item.mjs";
import { CliError, UsageError } from "./errors.mjs";
import { explainFailure, fieldLines, withRequestId } from "./failures.mjs";
import { MANIFEST_FILE, readManifest, requirePluginDir } from "./manifest.mjs";
import { packFolder } from "./pack.mjs";
import { formatBytes, progressLine } from "./progress.mjs";

const CHANNELS = ["stable", "beta"];

export async function publish(argv, { log = console.log, cwd = process.cwd() } = {}) {
  const { values, positionals } = parseCommandArgs(
    "publish",
    argv,
    {
      channel: { type: "string" },
      changelog: { type: "string" },
      token: { type: "string" },
      create: { type: "boolean" },
      org: { type: "string" },
      "display-name": { type: "string" },
      category: { type: "string" },
    },
    { maxPositionals: 1 },
  );
  if (values.help) return "help";
  const channel = values.channel ?? "stable";
  if (!CHANNELS.includes(channel)) throw new UsageError(`--channel must be one of: ${CHANNELS.join(", ")}`, "publish");
  const changelog = readChangelog(values.changelog, cwd);
  const dir = requirePluginDir(resolve(cwd, positionals[0] ?? "."));
  const manifest = readManifest(dir);
  const connection = resolveConnection(values);
  const token = requireToken(connection);
  const api = createApiClient({ api: connection.api, token });
  const release = { slug: manifest.name, version: manifest.version, channel };

  const archive = await packFolder(dir);
  log(
    `Packed ${archive.files.length} file${archive.files.length === 1 ? "" : "s"} from ${positionals[0] ?? "."} (${formatBytes(archive.size)})`,
  );
  log(`  sha256 ${archive.sha256}`);
  for (const link of archive.skippedLinks) log(`  skipped symlink ${link}`);

  // The Upload-Metadata of a bundle (BundleUploadMetadata in shared/uploads.ts).
  const metadata = {
    kind: "bundle",
    item: release.slug,
    version: release.version,
    channel,
    changelog,
    manifest: JSON.stringify(manifest),
    sha256: archive.sha256,
    filename: `${release.slug}-${release.version}.tar.gz`,
  };
  const progress = progressLine("Uploading");
  const upload = () => uploadBundle({ api: connection.api, token, bytes: archive.bytes, metadata, onProgress: progress.update });
  let resumedAt;
  let uploadUrl;
  try {
    // A first publish may name an item that does not exist yet: create it (see create-item.mjs), then upload again.
    ({ resumedAt, uploadUrl } = await upload().catch(async (err) => {
      if (!(err instanceof ApiError && err.code === "not_found")) throw err;
      progress.end();
      await createMissingItem(api, release.slug, values, connection, log);
      return upload();
    }));
  } catch (err) {
    throw publishFailure(err, release, connection);
  } finally {
    progress.end();
  }
  log(
    resumedAt > 0
      ? `Resumed the unfinished upload at ${formatBytes(resumedAt)}: sent the other ${formatBytes(archive.size - resumedAt)}`
      : `Uploaded ${formatBytes(archive.size)}`,
  );
  // The server checks the whole file's SHA-256 and makes it the version after the last byte, off that request.
  log("Verifying the upload…");
  try {
    await awaitVerification({ api: connection.api, token, uploadUrl });
  } catch (err) {
    throw publishFailure(err, release, connection);
  }
  log(`Published ${release.slug}@${release.version} to the ${channel} channel:`);
  log(api.versionPageUrl(release.slug, release.version));
  return 0;
}

/** `--changelog` is the text itself, or `@path` to read it from a file (relative to cwd). */
function readChangelog(value, cwd) {
  if (value === undefined) return "";
  if (!value.startsWith("@")) return value;
  const path = resolve(cwd, value.slice(1));
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new CliError(`Could not read the changelog file ${path}: ${err.code === "ENOENT" ? "no such file" : err.message}`);
  }
}

/** The failures only publishing meets, in the author's terms; the rest as for any command. */
function publishFailure(err, { slug, version, channel }, connection) {
  if (!(err instanceof ApiError)) return explainFailure(err, connection);
  const target = `${slug}@${version}`;
  const fail = (message, hint, details = fieldLines(err.fields)) => withRequestId(new CliError(message, { hint, details }), err);
  switch (err.code) {
    case "invalid_request":
      // With fields, the lines below say it all; the summary message only repeats their paths.
      return fail(
        `${connection.api} rejected ${target}${Object.keys(err.fields).length ? ":" : `: ${err.message}`}`,
        `Fix ${MANIFEST_FILE} (or the flags) and publish again.`,
      );
    case "not_found":
    case "forbidden":
      return fail(
        `Cannot publish to item "${slug}" on ${connection.api}: ${err.message}`,
        `"name" in ${MANIFEST_FILE} must be the slug of an item whose org you are an owner or admin of.`,
      );
    case "conflict":
      return fail(
        `Cannot publish ${target} to the ${channel} channel: ${err.message} (conflict)`,
        `Bump "version" in ${MANIFEST_FILE}: a version is published once and must be greater than the latest on its channel.`,
      );
    case "payload_too_large":
      return fail(
        `The archive is too large: ${err.message}`,
        "Leave build leftovers out of the folder; dotfiles and node_modules are already skipped.",
      );
    case "quota_exceeded":
      return fail(
        `The org has no room for ${target}: ${err.message}`,
        "The quota counts the org's bundles, project assets and unfinished uploads; an operator can raise it (ORG_STORAGE_QUOTA_BYTES).",
      );
    case "gone":
      return fail(
        `The upload of ${target} expired before it finished: ${err.message}`,
        "Publish again; a slow connection may need a smaller archive.",
      );
    case "unprocessable":
      return fail(
        `The upload of ${target} was refused: ${err.message}`,
        "The bytes did not match the announced checksum; publishing again usually fixes it.",
      );
    default:
      return explainFailure(err, connection);
  }
}
