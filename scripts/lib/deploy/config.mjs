// wrangler.toml as the deploy reads it: each environment's resources, the checks that it has every
// binding and var of the top level (dev) config, and surgical edits that keep the file's comments.
import { readFileSync, writeFileSync } from "node:fs";
import { experimental_readRawConfig } from "wrangler";

/** Environments `npm run deploy` knows. */
export const ENVIRONMENTS = /** @type {const} */ (["staging", "production"]);

/** A D1 id no database has: the placeholder in wrangler.toml until the deploy writes the real one. */
export const PLACEHOLDER_DATABASE_ID = "00000000-0000-0000-0000-000000000000";

/**
 * @typedef {{ binding: string, database_name: string, database_id?: string, migrations_dir?: string }} D1Entry
 * @typedef {{ binding: string, bucket_name: string }} R2Entry
 * @typedef {{ binding: string, queue: string }} Producer
 * @typedef {{ queue: string, dead_letter_queue?: string, [setting: string]: unknown }} Consumer
 * @typedef {{ name: string, class_name: string, script_name?: string }} DurableObjectBinding
 * @typedef {{ tag: string, [step: string]: unknown }} Migration
 * @typedef {{
 *   name?: string, vars?: Record<string, string>, d1_databases?: D1Entry[], r2_buckets?: R2Entry[],
 *   send_email?: { name: string }[], queues?: { producers?: Producer[], consumers?: Consumer[] },
 *   images?: { binding: string }, assets?: Record<string, unknown>, triggers?: { crons?: string[] },
 *   observability?: { enabled?: boolean }, routes?: unknown[],
 *   durable_objects?: { bindings?: DurableObjectBinding[] }, migrations?: Migration[],
 * }} EnvConfig
 * @typedef {EnvConfig & { env?: Record<string, EnvConfig> }} RawConfig
 */

/** @param {string} configPath @returns {RawConfig} */
export function readWranglerConfig(configPath) {
  return /** @type {RawConfig} */ (experimental_readRawConfig({ config: configPath }).rawConfig);
}

/** The Worker's name in an environment: its own `name`, else wrangler's `<name>-<env>`. */
export function workerName(raw, envName) {
  return raw.env?.[envName]?.name ?? `${raw.name}-${envName}`;
}

/**
 * What an environment deploys: its Worker, D1 database, buckets and every queue (dead-letter
 * queues included), each once, in the order wrangler.toml lists them.
 * @param {RawConfig} raw @param {string} envName
 */
export function envResources(raw, envName) {
  const env = raw.env?.[envName] ?? {};
  const queues = new Set();
  for (const producer of env.queues?.producers ?? []) queues.add(producer.queue);
  for (const consumer of env.queues?.consumers ?? []) {
    queues.add(consumer.queue);
    if (consumer.dead_letter_queue) queues.add(consumer.dead_letter_queue);
  }
  return {
    worker: workerName(raw, envName),
    databases: (env.d1_databases ?? []).map((db) => ({ binding: db.binding, name: db.database_name, id: db.database_id })),
    buckets: (env.r2_buckets ?? []).map((bucket) => bucket.bucket_name),
    queues: [...queues],
    vars: env.vars ?? {},
  };
}

const sorted = (values) => [...values].sort();
/** A Durable Object migration step as comparable text: its keys in order. @param {Migration} m */
const migrationText = (m) => JSON.stringify(Object.fromEntries(Object.entries(m).sort(([a], [b]) => a.localeCompare(b))));
const sameSet = (a, b) => JSON.stringify(sorted(new Set(a))) === JSON.stringify(sorted(new Set(b)));
const LOCAL_HOST = /\b(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])\b/i;

/** `https://host` with no path, query or trailing slash: what APP_URL and ROOMS_URL must be. */
function originProblem(name, value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    return `${name} is not a URL: ${JSON.stringify(value)}`;
  }
  if (url.protocol !== "https:") return `${name} must be https: ${value}`;
  if (url.origin !== value) return `${name} must be an origin (https://host, no path or trailing slash): ${value}`;
  return undefined;
}

/**
 * Every way an environment falls short of the top level: a binding (Durable Objects and their
 * migrations included), queue consumer, var, cron,
 * assets or observability setting it lacks; a local address in its vars; APP_URL or ROOMS_URL not
 * an https origin; a resource shared with another environment. Empty when it is deployable.
 * Queues are matched through the producers' bindings and the consumers' dead-letter queues, so
 * an environment may name its resources as it likes.
 * @param {RawConfig} raw @param {string} envName @returns {string[]}
 */
export function envProblems(raw, envName) {
  const env = raw.env?.[envName];
  const where = `[env.${envName}]`;
  if (!env) return [`wrangler.toml has no ${where} section`];
  const problems = [];
  const need = (what, top, own) => {
    if (!sameSet(top, own))
      problems.push(`${where} ${what}: top level has ${JSON.stringify(sorted(top))}, ${envName} has ${JSON.stringify(sorted(own))}`);
  };
  need(
    "d1_databases bindings",
    (raw.d1_databases ?? []).map((db) => db.binding),
    (env.d1_databases ?? []).map((db) => db.binding),
  );
  need(
    "r2_buckets bindings",
    (raw.r2_buckets ?? []).map((b) => b.binding),
    (env.r2_buckets ?? []).map((b) => b.binding),
  );
  need(
    "send_email names",
    (raw.send_email ?? []).map((s) => s.name),
    (env.send_email ?? []).map((s) => s.name),
  );
  need(
    "queue producer bindings",
    (raw.queues?.producers ?? []).map((p) => p.binding),
    (env.queues?.producers ?? []).map((p) => p.binding),
  );
  need("images binding", raw.images ? [raw.images.binding] : [], env.images ? [env.images.binding] : []);
  // Durable Object bindings and their migrations are not inherited either: the same classes, the same steps.
  need(
    "durable_objects bindings",
    (raw.durable_objects?.bindings ?? []).map((b) => `${b.name} → ${b.class_name}`),
    (env.durable_objects?.bindings ?? []).map((b) => `${b.name} → ${b.class_name}`),
  );
  need("migrations", (raw.migrations ?? []).map(migrationText), (env.migrations ?? []).map(migrationText));
  need("triggers.crons", raw.triggers?.crons ?? [], env.triggers?.crons ?? []);
  if (JSON.stringify(raw.assets ?? null) !== JSON.stringify(env.assets ?? null))
    problems.push(`${where} assets differ from the top level's`);
  if (Boolean(raw.observability?.enabled) !== Boolean(env.observability?.enabled))
    problems.push(`${where} observability.enabled differs from the top level's`);
  for (const db of env.d1_databases ?? []) {
    const top = raw.d1_databases?.find((t) => t.binding === db.binding);
    if (top && top.migrations_dir !== db.migrations_dir)
      problems.push(`${where} d1 ${db.binding}: migrations_dir must be ${top.migrations_dir}`);
  }
  problems.push(...consumerProblems(raw, env, where));

  const vars = env.vars ?? {};
  const missingVars = Object.keys(raw.vars ?? {}).filter((key) => !(key in vars));
  if (missingVars.length > 0) problems.push(`${where} vars lack ${missingVars.join(", ")} (vars are not inherited from the top level)`);
  for (const [key, value] of Object.entries(vars)) {
    if (LOCAL_HOST.test(String(value))) problems.push(`${where} vars.${key} points at this machine: ${value}`);
  }
  if (vars.ENVIRONMENT !== "production")
    problems.push(`${where} vars.ENVIRONMENT must be "production" (got ${JSON.stringify(vars.ENVIRONMENT)})`);
  for (const key of ["APP_URL", "ROOMS_URL"]) {
    const problem = originProblem(`${where} vars.${key}`, vars[key]);
    if (problem) problems.push(problem);
  }
  if (vars.APP_URL && vars.APP_URL === vars.ROOMS_URL)
    problems.push(`${where} APP_URL and ROOMS_URL are the same origin; the rooms are a separate deployment`);

  const own = envResources(raw, envName);
  for (const other of Object.keys(raw.env ?? {}).filter((name) => name !== envName)) {
    const theirs = envResources(raw, other);
    const shared = [
      ...own.databases.filter((db) => theirs.databases.some((t) => t.name === db.name)).map((db) => `D1 ${db.name}`),
      ...own.buckets.filter((b) => theirs.buckets.includes(b)).map((b) => `bucket ${b}`),
      ...own.queues.filter((q) => theirs.queues.includes(q)).map((q) => `queue ${q}`),
      ...(own.worker === theirs.worker ? [`Worker ${own.worker}`] : []),
    ];
    if (shared.length > 0) problems.push(`${where} shares ${shared.join(", ")} with [env.${other}]`);
  }
  return problems;
}

/**
 * Each top-level queue consumer must have its counterpart in the environment, with the same
 * settings: the consumer of the queue its producer binding sends to, or of the dead-letter queue
 * its counterpart names.
 */
function consumerProblems(raw, env, where) {
  const problems = [];
  /** top-level queue name → the environment's */
  const map = new Map();
  for (const producer of raw.queues?.producers ?? []) {
    const own = env.queues?.producers?.find((p) => p.binding === producer.binding);
    if (own) map.set(producer.queue, own.queue);
  }
  const topConsumers = raw.queues?.consumers ?? [];
  const ownConsumers = env.queues?.consumers ?? [];
  // Dead-letter queues have no producer: learn their names from the consumers that feed them.
  for (const consumer of topConsumers) {
    const ownQueue = map.get(consumer.queue);
    const own = ownConsumers.find((c) => c.queue === ownQueue);
    if (consumer.dead_letter_queue && own?.dead_letter_queue) map.set(consumer.dead_letter_queue, own.dead_letter_queue);
  }
  for (const consumer of topConsumers) {
    const ownQueue = map.get(consumer.queue);
    const own = ownQueue === undefined ? undefined : ownConsumers.find((c) => c.queue === ownQueue);
    if (!own) {
      problems.push(`${where} has no queue consumer matching the top level's ${consumer.queue}`);
      continue;
    }
    const settings = (c) =>
      JSON.stringify(
        Object.entries(c)
          .filter(([key]) => key !== "queue" && key !== "dead_letter_queue")
          .sort(),
      );
    if (settings(consumer) !== settings(own))
      problems.push(`${where} consumer ${own.queue}: settings differ from the top level's ${consumer.queue}`);
    if (Boolean(consumer.dead_letter_queue) !== Boolean(own.dead_letter_queue)) {
      problems.push(
        `${where} consumer ${own.queue}: ${consumer.dead_letter_queue ? "lacks" : "has"} a dead_letter_queue unlike ${consumer.queue}`,
      );
    }
  }
  if (ownConsumers.length !== topConsumers.length)
    problems.push(`${where} has ${ownConsumers.length} queue consumers, the top level ${topConsumers.length}`);
  return problems;
}

/** A URL an operator still has to replace (the placeholders wrangler.toml ships with). */
export const isPlaceholderUrl = (value) => /(^|[.-])your-|\.example(\b|$)/i.test(new URL(value).hostname);

/**
 * Sets `key = "value"` in one table of a TOML file, keeping every other line (comments included):
 * the table headed `[header]` or `[[header]]`; with `where`, the first such table that has that
 * `key = "value"` line (one entry of an array of tables). A missing key is added under the header.
 * @param {string} text @param {{ header: string, key: string, value: string, where?: [string, string] }} edit
 */
export function setTomlString(text, { header, key, value, where }) {
  const lines = text.split("\n");
  const isHeader = (line) => /^\s*\[/.test(line);
  const quoted = JSON.stringify(value);
  const keyLine = (name) => new RegExp(`^(\\s*${name}\\s*=\\s*)("(?:[^"\\\\]|\\\\.)*")(.*)$`);
  for (let start = 0; start < lines.length; start++) {
    const line = lines[start].trim();
    if (line !== `[${header}]` && line !== `[[${header}]]`) continue;
    let end = start + 1;
    while (end < lines.length && !isHeader(lines[end])) end++;
    const body = lines.slice(start + 1, end);
    if (where && !body.some((l) => keyLine(where[0]).exec(l)?.[2] === JSON.stringify(where[1]))) continue;
    const at = body.findIndex((l) => keyLine(key).test(l));
    if (at >= 0) lines[start + 1 + at] = lines[start + 1 + at].replace(keyLine(key), (_, lead, _old, rest) => `${lead}${quoted}${rest}`);
    else lines.splice(start + 1, 0, `${key} = ${quoted}`);
    return lines.join("\n");
  }
  throw new Error(`no [${header}] table${where ? ` with ${where[0]} = "${where[1]}"` : ""} in wrangler.toml`);
}

/** Applies `setTomlString` to a file; true when it changed. */
export function editTomlFile(path, edit) {
  const before = readFileSync(path, "utf8");
  const after = setTomlString(before, edit);
  if (after !== before) writeFileSync(path, after);
  return after !== before;
}
