// `plaza login --token <plz_…>`, `plaza logout` and `plaza whoami`.
import { text } from "node:stream/consumers";
import { ApiError, createApiClient } from "./api.mjs";
import { parseCommandArgs } from "./args.mjs";
import { deleteCredentials, requireToken, resolveConnection, writeCredentials } from "./config.mjs";
import { CliError, UsageError } from "./errors.mjs";
import { explainFailure } from "./failures.mjs";

const API_TOKEN_PATTERN = /^plz_\S+$/;

export async function login(argv, { stdin = process.stdin, log = console.log } = {}) {
  const { values } = parseCommandArgs("login", argv, { token: { type: "string" } });
  if (values.help) return "help";
  if (values.token === undefined) throw new UsageError("Missing --token <plz_…>", "login");
  // `--token -` keeps the secret out of shell history and process listings.
  const token = values.token === "-" ? (await text(stdin)).trim() : values.token.trim();
  if (!API_TOKEN_PATTERN.test(token)) {
    throw new UsageError(
      "That does not look like a Plaza API token: they start with plz_. Create one in the web app under API tokens.",
      "login",
    );
  }
  const connection = { ...resolveConnection({ api: values.api }, process.env, { ignoreBrokenFile: true }), token, tokenSource: "--token" };
  const who = await checkToken(connection);
  const path = writeCredentials({ api: connection.api, token });
  log(who.user ? `Logged in to ${connection.api} as ${describeUser(who.user)}.` : `Token accepted by ${connection.api}.`);
  if (!who.user) log("  (It lacks the profile:read scope, so Plaza did not say whose it is; that is fine for publishing.)");
  log(`Credentials saved to ${path}`);
  return 0;
}

export async function whoami(argv, { log = console.log } = {}) {
  const { values } = parseCommandArgs("whoami", argv, { token: { type: "string" } });
  if (values.help) return "help";
  const connection = resolveConnection(values);
  requireToken(connection);
  const who = await checkToken(connection);
  if (!who.user) {
    throw new CliError(`Your token works on ${connection.api}, but it lacks the profile:read scope, so Plaza does not say whose it is.`);
  }
  log(`${describeUser(who.user)} on ${connection.api} (token from ${connection.tokenSource})`);
  for (const org of who.orgs ?? []) log(`  ${org.slug}  ${org.name}  (${org.role})`);
  return 0;
}

export async function logout(argv, { log = console.log } = {}) {
  const { values } = parseCommandArgs("logout", argv, {});
  if (values.help) return "help";
  log(`Removed ${deleteCredentials()}`);
  return 0;
}

/**
 * Asks the API who the token belongs to. A 403 for the missing profile:read scope still proves
 * the token authenticates, so a publish-only token can log in.
 * @returns {Promise<{ user?: { name: string, email: string }, orgs?: { slug: string, name: string, role: string }[] }>}
 */
async function checkToken(connection) {
  try {
    return await createApiClient(connection).me();
  } catch (err) {
    if (err instanceof ApiError && err.code === "insufficient_scope") return {};
    throw explainFailure(err, connection);
  }
}

const describeUser = (user) => `${user.name} <${user.email}>`;
