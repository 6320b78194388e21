// Where the CLI keeps its credentials, and which API and token a command uses.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CliError, UsageError } from "./errors.mjs";

/** `npm start` serves the API here, so a fresh checkout works without any flag. */
export const DEFAULT_API_URL = "http://localhost:8787";

export function configDir(env = process.env) {
  if (env.PLAZA_CONFIG_DIR) return env.PLAZA_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "plaza");
}

export const credentialsPath = (env = process.env) => join(configDir(env), "credentials.json");

/** @returns {{ api?: string, token?: string } | null} */
export function readCredentials(env = process.env) {
  const path = credentialsPath(env);
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (err.code === "ENOENT") return null;
    throw new CliError(`Could not read ${path}: ${err.message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not valid JSON`, { hint: "Run `plaza login --token <plz_…>` to write it again." });
  }
}

/** Writes the file owner-only (0600) via a temp file, so a crash never leaves half a token behind. */
export function writeCredentials({ api, token }, env = process.env) {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = credentialsPath(env);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ api, token }, null, 2)}\n`, { mode: 0o600 });
  // `mode` only applies when the file is created; a leftover temp file could have kept looser bits.
  chmodSync(temp, 0o600);
  renameSync(temp, path);
  return path;
}

export function deleteCredentials(env = process.env) {
  const path = credentialsPath(env);
  rmSync(path, { force: true });
  return path;
}

/** Validates and normalises an API base URL: `https://plaza.example/` → `https://plaza.example`. */
export function normaliseApiUrl(value, source) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${source} is not a URL: ${value}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${source} must be an http(s) URL: ${value}`);
  return url.origin + url.pathname.replace(/\/+$/, "");
}

/** The first `[value, source]` pair with a value, so messages can say where a setting came from. */
function firstSet(...candidates) {
  return candidates.find(([value]) => value) ?? [undefined, undefined];
}

/**
 * The API and token for a command: flags first, then PLAZA_API_URL / PLAZA_TOKEN, then the stored
 * credentials, then (for the API only) the local dev server.
 * @param {{ api?: string, token?: string }} flags
 * @param {{ ignoreBrokenFile?: boolean }} [options]
 */
export function resolveConnection(flags, env = process.env, { ignoreBrokenFile = false } = {}) {
  const stored = readStoredCredentials(env, ignoreBrokenFile);
  const [apiValue, apiSource] = firstSet(
    [flags.api, "--api"],
    [env.PLAZA_API_URL, "PLAZA_API_URL"],
    [stored.api, credentialsPath(env)],
    [DEFAULT_API_URL, "the default"],
  );
  const [token, tokenSource] = firstSet([flags.token, "--token"], [env.PLAZA_TOKEN, "PLAZA_TOKEN"], [stored.token, credentialsPath(env)]);
  return { api: normaliseApiUrl(apiValue, apiSource), apiSource, token, tokenSource };
}

/** `plaza login` must be able to replace a broken credentials file rather than trip over it. */
function readStoredCredentials(env, ignoreBrokenFile) {
  try {
    return readCredentials(env) ?? {};
  } catch (err) {
    if (ignoreBrokenFile) return {};
    throw err;
  }
}

/** The token, or a failure explaining the three ways to provide one. */
export function requireToken(connection) {
  if (connection.token) return connection.token;
  throw new CliError("You are not logged in.", {
    hint: "Run `plaza login --token <plz_…>`, or set PLAZA_TOKEN, or pass --token. Create a token with the catalog:write scope in the Plaza web app.",
  });
}
