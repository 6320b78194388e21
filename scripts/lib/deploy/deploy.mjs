// `npm run deploy -- --env staging|production [--dry-run]`, as a function of its options and a
// command runner (the real one spawns wrangler, partykit and vite; the tests pass a fake that
// records the calls). Order: validate config → [dry run: build, bundle both Workers, plan] → secrets
// → resources → migrations → web build → placed Worker → edge Worker → rooms → Stripe endpoints.
// Anything missing stops it before the first change to a deployed thing, with what to do. The two
// Workers of an environment (the edge one at APP_URL, the placed one near D1) come from its
// [env.*] section through pair.mjs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleReport, formatBundleReport } from "./bundle.mjs";
import { ENVIRONMENTS, editTomlFile, envProblems, envResources, isPlaceholderUrl, readWranglerConfig } from "./config.mjs";
import { placedWorkerName, writeDeployPair } from "./pair.mjs";
import { ALREADY_EXISTS, parseD1CreateId, parseD1List, parseQueueList, parseR2List } from "./resources.mjs";
import { parseDeployedUrl, parseEnvList, parseWhoami, partykitUrl, readPartykitConfig, roomsTarget, stripAnsi } from "./rooms.mjs";
import { parseSecretList, REQUIRED_WORKER_SECRETS, SHARED_ROOM_SECRET, secretInstructions } from "./secrets.mjs";

/** Deploying an environment's Workers: the placed one first, since the edge one binds to it (PLACED, Durable Objects). */
const ROLES = /** @type {const} */ (["placed", "edge"]);
const ROLE_TEXT = { placed: "placed Worker (Smart Placement, queues, crons)", edge: "edge Worker (APP_URL)" };

/**
 * @typedef {"wrangler" | "partykit" | "vite"} Tool
 * @typedef {{ code: number, output: string }} RunResult
 * @typedef {(tool: Tool, args: string[], options?: { echo?: boolean }) => Promise<RunResult>} Runner
 * @typedef {{ platform: readonly string[], connect: readonly string[] }} StripeEventTypes
 * @typedef {{
 *   envName: string, dryRun?: boolean, skipWebBuild?: boolean, configPath: string, partykitPath: string,
 *   webConfigPath: string, stripeEventTypes: StripeEventTypes,
 *   checkVars?: (vars: Record<string, string>) => string[],
 * }} DeployOptions
 * @typedef {{ run: Runner, log: (line: string) => void }} DeployIo
 */

/** A stop with a message for the operator: the deploy exits non-zero. */
export class DeployStop extends Error {}

/** Runs a deploy; resolves with the process exit code (0 done, 1 stopped), having logged why. */
export async function deploy(/** @type {DeployOptions} */ options, /** @type {DeployIo} */ io) {
  try {
    await (options.dryRun ? dryRun(options, io) : realDeploy(options, io));
    return 0;
  } catch (err) {
    if (!(err instanceof DeployStop)) throw err;
    io.log(`\n✗ ${err.message}`);
    return 1;
  }
}

/** Config checks shared by both modes: every environment's, and the target's rooms. */
function validate(/** @type {DeployOptions} */ options) {
  const { envName, configPath, partykitPath } = options;
  if (!ENVIRONMENTS.includes(/** @type {any} */ (envName)))
    throw new DeployStop(`--env must be one of ${ENVIRONMENTS.join(", ")} (got ${envName || "nothing"})`);
  const raw = readWranglerConfig(configPath);
  const partykit = readPartykitConfig(partykitPath);
  const problems = ENVIRONMENTS.flatMap((name) => envProblems(raw, name));
  // The Worker's own checks of its vars (the legal pages' settings), so a bad value fails here, not as a 500.
  for (const name of ENVIRONMENTS) {
    for (const problem of options.checkVars?.(raw.env?.[name]?.vars ?? {}) ?? []) problems.push(`[env.${name}] vars.${problem}`);
  }
  const resources = envResources(raw, envName);
  const target = problems.length === 0 ? roomsTarget(partykit, envName, resources.vars.ROOMS_URL) : undefined;
  if (target?.problem) problems.push(target.problem);
  if (problems.length > 0) throw new DeployStop(`wrangler.toml is not deployable:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  const workers = { edge: resources.worker, placed: placedWorkerName(raw, envName) };
  return {
    raw,
    partykit,
    resources,
    workers,
    target: /** @type {NonNullable<typeof target>} */ (target),
    demoVars: demoVars(raw, envName),
  };
}

/**
 * Vars an operator has yet to make their own: an address on a reserved `.example` domain or a
 * `your-…` placeholder (APP_URL and ROOMS_URL are checked on their own), or the legal entity's
 * name still the top level's demo one.
 */
function demoVars(raw, envName) {
  const vars = raw.env?.[envName]?.vars ?? {};
  return Object.entries(vars)
    .filter(([key]) => key !== "APP_URL" && key !== "ROOMS_URL")
    .filter(
      ([key, value]) => /[.@]([a-z0-9-]+\.)*example\b|\byour-/i.test(value) || (key === "LEGAL_ENTITY_NAME" && value === raw.vars?.[key]),
    )
    .map(([key, value]) => `${key} = ${JSON.stringify(value)}`);
}

/** Runs a tool; a non-zero exit stops the deploy with its output. */
async function step(
  /** @type {DeployIo} */ io,
  /** @type {Tool} */ tool,
  /** @type {string[]} */ args,
  what = `${tool} ${args[0]}`,
  /** @type {(output: string) => string} */ hint = () => "",
) {
  io.log(`\n→ ${what}: ${tool} ${args.join(" ")}`);
  const result = await io.run(tool, args, { echo: true });
  if (result.code !== 0) {
    const advice = hint(stripAnsi(result.output));
    throw new DeployStop(`${what} failed (exit ${result.code})${advice ? `: ${advice}` : ""}`);
  }
  return result;
}

async function dryRun(/** @type {DeployOptions} */ options, /** @type {DeployIo} */ io) {
  const { envName, configPath, webConfigPath } = options;
  const { raw, resources, workers, target, demoVars } = validate(options);
  const { log } = io;
  log(`Dry run of the ${envName} deploy: config checked (every environment has every binding and var of the top level).`);
  if (demoVars.length > 0)
    log(
      `  ! [env.${envName}.vars] still has demo values: ${demoVars.join(", ")}${envName === "production" ? " (a real production deploy stops)" : ""}`,
    );
  if (isPlaceholderUrl(resources.vars.APP_URL)) {
    log(`  ! APP_URL is still the placeholder ${resources.vars.APP_URL}: a real deploy stops until it is set in [env.${envName}.vars]`);
  }
  if (isPlaceholderUrl(resources.vars.ROOMS_URL)) {
    log(`  ! ROOMS_URL is still the placeholder ${resources.vars.ROOMS_URL}: a real deploy writes the rooms' URL there`);
  }
  if (options.skipWebBuild) log("\n→ web build skipped (--skip-web-build): using web/dist as it is");
  else await step(io, "vite", ["build", "--config", webConfigPath], "build web/");
  const files = writeDeployPair(raw, envName, configPath);
  log(`\n→ the two Workers' configs, from [env.${envName}]: ${files.placed.path}, ${files.edge.path}`);
  const outdir = mkdtempSync(join(tmpdir(), `plaza-deploy-${envName}-`));
  try {
    for (const role of ROLES) {
      const worker = files[role];
      const out = join(outdir, role);
      await step(
        io,
        "wrangler",
        ["deploy", "--dry-run", "--outdir", out, "--config", worker.path],
        `bundle the ${ROLE_TEXT[role]} ${worker.name}`,
      );
      const report = bundleReport(out);
      log(`\n${formatBundleReport(report, `${worker.name} (${role})`)}`);
      if (report.verdict === "too-big") throw new DeployStop(`the ${worker.name} bundle is above the Workers Paid limit (10 MiB gzipped)`);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  log(`\nA real deploy of ${envName} would:`);
  for (const line of plan(options, resources, workers, target)) log(`  ${line}`);
  printStripeEndpoints(io, resources.vars.APP_URL, options.stripeEventTypes);
  log(`\n✓ dry run of ${envName} passed`);
}

/** The steps of a real deploy, for the dry run to print. */
function plan(/** @type {DeployOptions} */ { envName }, resources, workers, target) {
  const rooms = `${target.name}${target.domain ? ` on ${target.domain}` : ""}`;
  return [
    `check the Workers ${workers.placed} and ${workers.edge} both have ${REQUIRED_WORKER_SECRETS.join(", ")}, and the rooms ${target.name} ${SHARED_ROOM_SECRET}`,
    ...resources.databases.map(
      (db) => `create or reuse D1 ${db.name} (binding ${db.binding}) and write its database_id into [env.${envName}]`,
    ),
    ...resources.buckets.map((bucket) => `create or reuse R2 bucket ${bucket}`),
    `create or reuse queues ${resources.queues.join(", ")}`,
    ...resources.databases.map((db) => `apply migrations to ${db.name} (remote)`),
    "build web/",
    `deploy the placed Worker ${workers.placed} (Smart Placement, every queue consumer and cron), then the edge Worker ${workers.edge} at APP_URL ${resources.vars.APP_URL} (public reads; the rest to ${workers.placed} through its PLACED binding), both with ROOMS_URL ${resources.vars.ROOMS_URL}, corrected to the rooms' real URL first`,
    `deploy the rooms ${rooms} with PLAZA_API_URL=${resources.vars.APP_URL}`,
  ];
}

async function realDeploy(/** @type {DeployOptions} */ options, /** @type {DeployIo} */ io) {
  const { envName, configPath, partykitPath, webConfigPath } = options;
  const { raw, partykit, resources, workers, target, demoVars } = validate(options);
  const { log, run } = io;
  const wranglerArgs = ["--env", envName, "--config", configPath];
  const appUrl = resources.vars.APP_URL;
  if (isPlaceholderUrl(appUrl)) {
    throw new DeployStop(
      `APP_URL in [env.${envName}.vars] is still the placeholder ${appUrl}: set it to the Worker's public origin ` +
        `(https://${resources.worker}.<your workers.dev subdomain>.workers.dev, shown in the dashboard under Workers & Pages, or a custom domain routed to it)`,
    );
  }
  if (target.domain && isPlaceholderUrl(resources.vars.ROOMS_URL)) {
    throw new DeployStop(
      `ROOMS_URL in [env.${envName}.vars] is the placeholder ${resources.vars.ROOMS_URL}: set the rooms' domain, or a *.partykit.dev URL`,
    );
  }
  if (demoVars.length > 0) {
    // The legal pages would name a demo seller and support address: fine for staging, never for buyers.
    if (envName === "production") throw new DeployStop(`[env.production.vars] still has demo values: ${demoVars.join(", ")}; set your own`);
    log(`! [env.${envName}.vars] still has demo values: ${demoVars.join(", ")}`);
  }
  log(`Deploying Plaza to ${envName}: Workers ${workers.placed} (placed) and ${workers.edge} (edge, APP_URL), rooms ${target.name}.`);

  // 1. Who deploys the rooms (their URL contains the login), then every secret, before any change.
  const whoami = await run("partykit", ["whoami"]);
  const login = parseWhoami(whoami.output);
  if (!login && !target.domain && !partykit.team) {
    throw new DeployStop("not logged in to PartyKit: run `npx partykit login` (in CI set PARTYKIT_LOGIN and PARTYKIT_TOKEN)");
  }
  // Both Workers run the same code, so both need every secret (the same values).
  const files = writeDeployPair(raw, envName, configPath);
  const secretsOf = async (/** @type {"edge" | "placed"} */ role) => {
    const result = await run("wrangler", ["secret", "list", "--format", "json", "--config", files[role].path]);
    if (result.code === 0) return parseSecretList(stripAnsi(result.output));
    // A Worker that does not exist yet has no secrets; `wrangler secret put` creates it.
    if (/not found|does not exist|10007/i.test(result.output)) return [];
    throw new DeployStop(
      `wrangler secret list of ${files[role].name} failed (is wrangler logged in? \`npx wrangler login\`):\n${result.output}`,
    );
  };
  const haveEdge = await secretsOf("edge");
  const havePlaced = await secretsOf("placed");
  const roomsEnv = await run("partykit", ["env", "list", "--name", target.name, "--config", partykitPath]);
  const haveRooms = roomsEnv.code === 0 ? parseEnvList(roomsEnv.output) : [];
  const missingEdge = REQUIRED_WORKER_SECRETS.filter((name) => !haveEdge.includes(name));
  const missingPlaced = REQUIRED_WORKER_SECRETS.filter((name) => !havePlaced.includes(name));
  const missingRooms = [SHARED_ROOM_SECRET].filter((name) => !haveRooms.includes(name));
  if (missingEdge.length > 0 || missingPlaced.length > 0 || missingRooms.length > 0) {
    const missing = [
      ...missingEdge.map((n) => `${n} (Worker ${workers.edge})`),
      ...missingPlaced.map((n) => `${n} (Worker ${workers.placed})`),
      ...missingRooms.map((n) => `${n} (rooms ${target.name})`),
    ];
    log(`\nMissing secrets for ${envName}: ${missing.join(", ")}. Set each, then run the deploy again:`);
    for (const line of secretInstructions({ envName, workers, missingEdge, missingPlaced, missingRooms, roomsName: target.name }))
      log(line);
    printStripeEndpoints(io, appUrl, options.stripeEventTypes);
    throw new DeployStop(`${missing.length} secret(s) missing: nothing was deployed`);
  }
  log(`✓ secrets: both Workers have the ${REQUIRED_WORKER_SECRETS.length} required, the rooms ${SHARED_ROOM_SECRET}`);
  if (envName === "production") {
    log(
      "  (Cloudflare never shows a secret's value back, so the deploy cannot tell a live STRIPE_SECRET_KEY from a test one: production needs sk_live_…)",
    );
  }

  // 2. Resources: reuse what exists, create what is missing, record the D1 id.
  await ensureResources(io, options, resources);

  // 3. Migrations, then the web app the Worker serves.
  for (const db of resources.databases)
    await step(io, "wrangler", ["d1", "migrations", "apply", db.binding, "--remote", ...wranglerArgs], `migrations on ${db.name}`);
  if (options.skipWebBuild) log("\n→ web build skipped (--skip-web-build)");
  else await step(io, "vite", ["build", "--config", webConfigPath], "build web/");

  // 4. The Workers, pointed at where the rooms will be.
  let roomsUrl = target.domain ? `https://${target.domain}` : partykitUrl(partykit, target.name, login);
  if (roomsUrl !== resources.vars.ROOMS_URL) {
    editTomlFile(configPath, { header: `env.${envName}.vars`, key: "ROOMS_URL", value: roomsUrl });
    log(`✓ ROOMS_URL of ${envName} set to the rooms' URL ${roomsUrl} in wrangler.toml (was ${resources.vars.ROOMS_URL}): commit it`);
  }
  const edgeOutput = await deployWorkers(io, options);
  if (!stripAnsi(edgeOutput).includes(new URL(appUrl).host)) {
    const urls = [...new Set(stripAnsi(edgeOutput).match(/https:\/\/[^\s)]+/g) ?? [])];
    throw new DeployStop(
      `the Worker is deployed, but wrangler did not report it at APP_URL ${appUrl} (it reported ${urls.join(", ") || "no URL"}). ` +
        `Set APP_URL in [env.${envName}.vars] to the Worker's public origin (or route that domain to it) and run the deploy again; the rooms were not deployed.`,
    );
  }

  // 5. The rooms, pointed at the Worker.
  const roomsArgs = ["deploy", "--config", partykitPath, "--name", target.name, ...(target.domain ? ["--domain", target.domain] : [])];
  const rooms = await step(io, "partykit", [...roomsArgs, "--var", `PLAZA_API_URL=${appUrl}`], `deploy the rooms ${target.name}`);
  const deployedRooms = parseDeployedUrl(rooms.output);
  if (deployedRooms && deployedRooms !== roomsUrl) {
    // The rooms landed elsewhere than predicted (another PartyKit team than the login's, say):
    // record their real URL and deploy the Workers again, so the two sides still point at each other.
    editTomlFile(configPath, { header: `env.${envName}.vars`, key: "ROOMS_URL", value: deployedRooms });
    log(
      `! the rooms answer at ${deployedRooms}, not ${roomsUrl}: ROOMS_URL rewritten in wrangler.toml (commit it), deploying the Workers again`,
    );
    await deployWorkers(io, options, " with the rooms' URL");
    roomsUrl = deployedRooms;
  }

  log(
    `\n✓ ${envName} deployed: the Worker at ${appUrl} (ROOMS_URL ${roomsUrl}; all but public reads served by ${workers.placed}, placed near D1), the rooms at ${roomsUrl} (PLAZA_API_URL ${appUrl})`,
  );
  printStripeEndpoints(io, appUrl, options.stripeEventTypes);
  log(`\nNext: npm run smoke -- ${appUrl}`);
}

/**
 * Deploys both Workers from wrangler.toml as it is now (the deploy writes database_id and ROOMS_URL
 * into it): the placed one first, since the edge one binds to it. Resolves with the edge's output.
 */
async function deployWorkers(/** @type {DeployIo} */ io, /** @type {DeployOptions} */ { envName, configPath }, what = "") {
  const raw = readWranglerConfig(configPath);
  const files = writeDeployPair(raw, envName, configPath);
  // A queue has one consumer Worker: a deploy from before the split left them on the edge Worker.
  const consumersTaken = (/** @type {string} */ output) =>
    /consumer/i.test(output)
      ? `a queue still has another consumer (an earlier deploy's single Worker?). Hand each queue to ${files.placed.name}, then deploy again:\n` +
        (raw.env?.[envName]?.queues?.consumers ?? [])
          .map((c) => `  npx wrangler queues consumer remove ${c.queue} ${files.edge.name}`)
          .join("\n")
      : "";
  let edgeOutput = "";
  for (const role of ROLES) {
    const result = await step(
      io,
      "wrangler",
      ["deploy", "--config", files[role].path],
      `deploy the ${ROLE_TEXT[role]} ${files[role].name}${what}`,
      role === "placed" ? consumersTaken : undefined,
    );
    if (role === "edge") edgeOutput = result.output;
  }
  return edgeOutput;
}

async function ensureResources(/** @type {DeployIo} */ io, /** @type {DeployOptions} */ { envName, configPath }, resources) {
  const { log, run } = io;
  const account = ["--config", configPath];
  const list = async (/** @type {string[]} */ args) => {
    const result = await run("wrangler", [...args, ...account]);
    if (result.code !== 0) throw new DeployStop(`wrangler ${args.join(" ")} failed:\n${result.output}`);
    return result.output;
  };
  const create = async (/** @type {string[]} */ args, /** @type {string} */ what) => {
    log(`→ create ${what}`);
    const result = await run("wrangler", [...args, ...account], { echo: true });
    if (result.code !== 0 && !ALREADY_EXISTS.test(result.output)) throw new DeployStop(`could not create ${what}:\n${result.output}`);
    return result.output;
  };

  const databases = parseD1List(await list(["d1", "list", "--json"]));
  for (const db of resources.databases) {
    let id = databases.find((d) => d.name === db.name)?.uuid;
    if (id) log(`✓ D1 ${db.name} exists (${id})`);
    else {
      id = parseD1CreateId(await create(["d1", "create", db.name], `D1 ${db.name}`));
      id ??= parseD1List(await list(["d1", "list", "--json"])).find((d) => d.name === db.name)?.uuid;
      if (!id) throw new DeployStop(`created D1 ${db.name} but could not find its id`);
    }
    if (id !== db.id) {
      editTomlFile(configPath, { header: `env.${envName}.d1_databases`, key: "database_id", value: id, where: ["database_name", db.name] });
      log(`✓ database_id of ${db.name} written into [env.${envName}] of wrangler.toml: commit it`);
    }
  }
  const buckets = parseR2List(await list(["r2", "bucket", "list"]));
  for (const bucket of resources.buckets) {
    if (buckets.includes(bucket)) log(`✓ R2 bucket ${bucket} exists`);
    else await create(["r2", "bucket", "create", bucket], `R2 bucket ${bucket}`);
  }
  const queues = parseQueueList(await list(["queues", "list"]));
  for (const queue of resources.queues) {
    if (queues.includes(queue)) log(`✓ queue ${queue} exists`);
    else await create(["queues", "create", queue], `queue ${queue}`);
  }
}

/** The two Stripe webhook endpoints of this deployment and the exact events each must send. */
export function printStripeEndpoints(/** @type {DeployIo} */ { log }, /** @type {string} */ appUrl, /** @type {StripeEventTypes} */ types) {
  log("\nStripe dashboard → Developers → Webhooks: two endpoints, each with its own signing secret:");
  log(`  ${appUrl}/v1/stripe/webhooks (events on your account) → STRIPE_WEBHOOK_SECRET`);
  log(wrapList(types.platform));
  log(`  ${appUrl}/v1/stripe/connect-webhooks (events on Connected accounts) → STRIPE_CONNECT_WEBHOOK_SECRET`);
  log(wrapList(types.connect));
}

/** Event types, comma-separated, in indented lines of at most 100 characters (to copy into the dashboard). */
function wrapList(/** @type {readonly string[]} */ types) {
  const lines = [];
  let line = "";
  for (const [i, type] of types.entries()) {
    const word = `${type}${i < types.length - 1 ? "," : ""}`;
    if (line && line.length + word.length + 1 > 96) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].map((l) => `    ${l}`).join("\n");
}
