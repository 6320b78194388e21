// Turns API and network failures that any command may meet into friendly CLI errors.
import { ApiError, NetworkError } from "./api.mjs";
import { CliError, UsageError } from "./errors.mjs";

const TOKEN_REFUSED = new Set(["unauthenticated", "token_invalid", "token_expired", "token_revoked"]);

/**
 * A UsageError passes through unchanged, so a command may wrap all its work in this.
 * @param {unknown} err
 * @param {{ api: string, tokenSource?: string }} connection
 * @returns {CliError | UsageError}
 */
export function explainFailure(err, connection) {
  if (err instanceof CliError || err instanceof UsageError) return err;
  if (err instanceof NetworkError) {
    return new CliError(err.message, {
      hint: `Is the server running? Choose another one with --api <url> or PLAZA_API_URL (now: ${connection.api}).`,
    });
  }
  if (!(err instanceof ApiError)) return new CliError(err instanceof Error ? err.message : String(err));
  const extra = { details: fieldLines(err.fields), hint: undefined };
  if (TOKEN_REFUSED.has(err.code)) {
    extra.hint = `The token came from ${connection.tokenSource ?? "nowhere"}. Create a new one in the Plaza web app and run \`plaza login --token <plz_…>\`.`;
    return withRequestId(new CliError(`Your API token was refused: ${err.message}`, extra), err);
  }
  if (err.code === "insufficient_scope") {
    extra.hint =
      "Create a token with the scope named above in the Plaza web app and run `plaza login --token <plz_…>` (publishing, creating and yanking need catalog:write; listing needs catalog:read).";
    return withRequestId(new CliError(err.message, extra), err);
  }
  if (err.code === "rate_limited") {
    extra.hint = "Wait a minute and try again.";
    return withRequestId(new CliError(err.message, extra), err);
  }
  return withRequestId(new CliError(`${err.message} (${err.status} ${err.code})`, extra), err);
}

/** One line per field message, with the field path the server named. */
export function fieldLines(fields = {}) {
  return Object.entries(fields).flatMap(([path, messages]) => messages.map((message) => `${describeField(path)}: ${message}`));
}

/**
 * `body.manifest.engines.plaza` → `engines.plaza (plaza.json)`; `body.changelog` → `changelog`. An
 * upload's fields come as `header.upload-metadata.<key>` (its Upload-Metadata) and read the same.
 */
function describeField(path) {
  const inBody = path.replace(/^(body|header\.upload-metadata)\.?/, "");
  if (inBody === "manifest") return "plaza.json";
  if (inBody.startsWith("manifest.")) return `${inBody.slice("manifest.".length)} (plaza.json)`;
  return inBody || path;
}

/** The request id lets an operator find the server's log line for this failure. */
export function withRequestId(cliError, apiError) {
  if (apiError.requestId) cliError.requestId = apiError.requestId;
  return cliError;
}
