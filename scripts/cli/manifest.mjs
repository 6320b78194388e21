// Reads plaza.json with a light local check; the server validates the manifest in full.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "./errors.mjs";

export const MANIFEST_FILE = "plaza.json";

/** The folder to publish, which must exist and be a directory. */
export function requirePluginDir(dir) {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new CliError(`Folder not found: ${dir}`);
  }
  if (!stat.isDirectory()) throw new CliError(`Not a folder: ${dir}`, { hint: "Pass the plugin's folder, the one that holds plaza.json." });
  return dir;
}

/**
 * The manifest as written (the server gets it unchanged), once it parses and names an item and a
 * version: the two things the CLI itself needs.
 */
export function readManifest(dir) {
  const path = join(dir, MANIFEST_FILE);
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (err.code === "ENOENT") {
      throw new CliError(`No ${MANIFEST_FILE} in ${dir}`, {
        hint: `A plugin folder needs a ${MANIFEST_FILE} with at least "name" (the item's slug), "version", "entry" and "engines".`,
      });
    }
    throw new CliError(`Could not read ${path}: ${err.message}`);
  }
  let manifest;
  try {
    manifest = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${path} is not valid JSON: ${err.message}`);
  }
  if (!manifest || typeof manifest !== "object" || Array.isArray(manifest)) {
    throw new CliError(`${path} must hold a JSON object`);
  }
  const problems = [];
  if (typeof manifest.name !== "string" || manifest.name === "") problems.push(`"name": required, the item's slug (e.g. "my-plugin")`);
  if (typeof manifest.version !== "string" || manifest.version === "")
    problems.push(`"version": required, a semantic version (e.g. "1.0.0")`);
  if (problems.length > 0) throw new CliError(`${path} is incomplete:`, { details: problems });
  return manifest;
}
