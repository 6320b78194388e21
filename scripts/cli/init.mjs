// `plaza init [dir]`: writes plaza.json, asking on a terminal, or from flags (and --yes) in scripts.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { Manifest, PERMISSIONS } from "../../shared/manifest.ts";
import { parseCommandArgs } from "./args.mjs";
import { CliError, UsageError } from "./errors.mjs";
import { fieldLines } from "./failures.mjs";
import { MANIFEST_FILE, requirePluginDir } from "./manifest.mjs";
import { isTerminal, openPrompter } from "./prompt.mjs";

/** The questions, in plaza.json's order: each answer is one flag's text and one part of the manifest. */
const FIELDS = [
  { key: "name", question: "name (the item's slug)" },
  { key: "version", question: "version" },
  { key: "entry", question: "entry (the module the bundle starts from)" },
  { key: "permissions", question: `permissions (comma-separated: ${PERMISSIONS.join(", ")})` },
  { key: "engine", question: "engines.plaza (the Plaza versions it runs on)", path: "engines" },
];

/** The manifest the answers make; the shared schema (shared/manifest.ts) then judges it as the server will. */
const manifestOf = (answers) => ({
  name: answers.name,
  version: answers.version,
  entry: answers.entry,
  permissions: answers.permissions
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean),
  engines: { plaza: answers.engine },
  dependencies: answers.dependencies,
});

export async function init(argv, { log = console.log, cwd = process.cwd() } = {}) {
  const { values, positionals } = parseCommandArgs(
    "init",
    argv,
    {
      name: { type: "string" },
      slug: { type: "string" },
      version: { type: "string" },
      entry: { type: "string" },
      permissions: { type: "string" },
      engine: { type: "string" },
      yes: { type: "boolean", short: "y" },
      force: { type: "boolean" },
    },
    { maxPositionals: 1 },
  );
  if (values.help) return "help";
  if (values.name !== undefined && values.slug !== undefined && values.name !== values.slug) {
    throw new UsageError("--name and --slug are the same setting (the item's slug); pass one", "init");
  }
  const dir = requirePluginDir(resolve(cwd, positionals[0] ?? "."));
  const path = join(dir, MANIFEST_FILE);
  if (existsSync(path) && !values.force) throw alreadyThere(path);

  const given = { ...values, name: values.name ?? values.slug };
  const defaults = defaultsFor(dir);
  const answers = { dependencies: defaults.dependencies };
  const unanswered = [];
  for (const { key } of FIELDS) {
    if (given[key] !== undefined) answers[key] = given[key];
    else if (values.yes) answers[key] = defaults[key];
    else unanswered.push(key);
  }
  if (unanswered.length > 0) {
    if (!isTerminal()) {
      throw new UsageError(
        `No terminal to ask for ${unanswered.join(", ")}: pass --yes to take the defaults, or a flag for each (e.g. --${unanswered[0]} …)`,
        "init",
      );
    }
    await askFor(unanswered, answers, defaults, path);
  }

  const checked = Manifest.safeParse(manifestOf(answers));
  if (!checked.success) {
    throw new CliError(`${MANIFEST_FILE} would be invalid, so it was not written:`, {
      details: fieldLines(issuesByField(checked.error.issues)),
      hint: "Fix the values (see `plaza init --help` for the flags) and run it again.",
    });
  }
  const text = `${JSON.stringify(checked.data, null, 2)}\n`;
  try {
    // "wx" fails if the file appeared while we asked: --force is the only way to overwrite.
    writeFileSync(path, text, { flag: values.force ? "w" : "wx" });
  } catch (err) {
    throw err.code === "EEXIST" ? alreadyThere(path) : new CliError(`Could not write ${path}: ${err.message}`);
  }
  log(`Wrote ${path}:`);
  log(text.trimEnd());
  log(`Next: build ${checked.data.entry}, then \`plaza publish${positionals[0] ? ` ${positionals[0]}` : ""} --create\`.`);
  return 0;
}

const alreadyThere = (path) => new CliError(`${path} already exists.`, { hint: "Pass --force to overwrite it." });

/** Asks for each field in turn, re-asking until the shared schema accepts that field. */
async function askFor(keys, answers, defaults, path) {
  const prompter = openPrompter();
  try {
    console.error(`Writing ${path}. Press Enter to keep the value in parentheses; Ctrl+C cancels.`);
    for (const field of FIELDS.filter((f) => keys.includes(f.key))) {
      answers[field.key] = await prompter.ask(field.question, {
        defaultValue: defaults[field.key],
        check: (value) => problemWith(field, { ...defaults, ...answers, [field.key]: value }),
      });
    }
  } finally {
    prompter.close();
  }
}

/** The schema's first complaint about this one field, judged with the rest of the manifest. */
function problemWith(field, answers) {
  const result = Manifest.safeParse(manifestOf(answers));
  const issue = result.success ? undefined : result.error.issues.find((i) => i.path[0] === (field.path ?? field.key));
  return issue?.message;
}

/** zod issues as the API reports fields (`manifest.engines.plaza`), so they print like publish's. */
function issuesByField(issues) {
  const fields = {};
  for (const issue of issues) {
    const path = ["manifest", ...issue.path].join(".");
    fields[path] = [...(fields[path] ?? []), issue.message];
  }
  return fields;
}

/**
 * What is offered when no flag gives a value: the plaza.json being replaced (with --force), else the
 * folder's package.json (its name without the scope, version, main), else the folder's name and
 * plain defaults. Dependencies are not asked for; a replaced plaza.json keeps its own.
 */
function defaultsFor(dir) {
  const pkg = readJsonObject(join(dir, "package.json"));
  const fresh = {
    name: toSlug(typeof pkg.name === "string" ? pkg.name.replace(/^@[^/]*\//, "") : basename(dir)),
    version: typeof pkg.version === "string" && isVersion(pkg.version) ? pkg.version : "1.0.0",
    entry: typeof pkg.main === "string" ? pkg.main.replace(/^\.\//, "") : "dist/index.js",
    permissions: "",
    engine: "^1.0.0",
  };
  const current = readJsonObject(join(dir, MANIFEST_FILE));
  const kept = {
    name: current.name,
    version: current.version,
    entry: current.entry,
    permissions: Array.isArray(current.permissions) ? current.permissions.join(", ") : undefined,
    engine: current.engines?.plaza,
  };
  const defaults = Object.fromEntries(
    Object.entries(fresh).map(([key, value]) => [key, typeof kept[key] === "string" ? kept[key] : value]),
  );
  return { ...defaults, dependencies: current.dependencies ?? {} };
}

/** A JSON file's object, or {} when it is missing, broken or not an object: it only offers defaults. */
function readJsonObject(path) {
  try {
    const value = JSON.parse(readFileSync(path, "utf8"));
    return value && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

const isVersion = (value) => Manifest.shape.version.safeParse(value).success;

/** `My Plugin_2` → `my-plugin-2`: what the slug rules allow, at most 50 characters. */
const toSlug = (value) =>
  value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 50)
    .replace(/^-+|-+$/g, "");
