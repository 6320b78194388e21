// `npm run deploy`: the deploy logic against a fake Cloudflare/PartyKit account (a command runner
// that answers like wrangler and partykit and records every call), and the real dry run.
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runtime } from "../worker/src/modules";
import { legalConfig } from "../worker/src/storefront";
// @ts-expect-error: plain .mjs helpers without type declarations
import { envProblems, readWranglerConfig, setTomlString } from "./lib/deploy/config.mjs";
// @ts-expect-error: plain .mjs helpers without type declarations
import { deploy } from "./lib/deploy/deploy.mjs";
// @ts-expect-error: plain .mjs helpers without type declarations
import { deployPair } from "./lib/deploy/pair.mjs";
// @ts-expect-error: plain .mjs helpers without type declarations
import { NODE22, ROOT } from "./lib/processes.mjs";
import { WAIT } from "./lib/wait-budgets.mjs";

// biome-ignore lint/suspicious/noExplicitAny: a wrangler config as the deploy wrote it, read field by field like a test's expects
type WorkerConfig = Record<string, any>;
type Call = { tool: string; args: string[]; vars?: Record<string, string>; config?: WorkerConfig };
type Account = {
  login: string;
  workersSubdomain: string;
  databases: { name: string; uuid: string }[];
  buckets: string[];
  queues: string[];
  /** The edge Worker's secrets (plaza[-staging]), and the placed Worker's when they differ. */
  workerSecrets: string[];
  placedSecrets?: string[];
  roomsEnv: string[];
  /** Queues an earlier deploy's single Worker still consumes (a deploy from before the edge/placed split). */
  consumedByEdge?: boolean;
  /** Whose partykit.dev subdomain the rooms land on, when not the login's (a PartyKit team). */
  partykitOwner?: string;
};

const ALL_WORKER_SECRETS = [
  "JWT_SECRET",
  "ROOM_TOKEN_SECRET",
  "STRIPE_WEBHOOK_SECRET",
  "STRIPE_CONNECT_WEBHOOK_SECRET",
  "ENCRYPTION_KEYS",
  "LICENSE_KEY_SECRET",
  "DOWNLOAD_TOKEN_KEYS",
  "STRIPE_SECRET_KEY",
];

let dir: string;
let configPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "plaza-deploy-test-"));
  configPath = join(dir, "wrangler.toml");
  copyFileSync(join(ROOT, "wrangler.toml"), configPath);
  // The operator's one edit before a first deploy: the Worker's public origin.
  let text = readFileSync(configPath, "utf8");
  text = setTomlString(text, { header: "env.staging.vars", key: "APP_URL", value: "https://plaza-staging.acme.workers.dev" });
  text = setTomlString(text, { header: "env.production.vars", key: "APP_URL", value: "https://plaza.acme.workers.dev" });
  // And for production, the legal pages' seller instead of the demo one.
  text = setTomlString(text, { header: "env.production.vars", key: "LEGAL_ENTITY_NAME", value: "Acme Plugins GmbH" });
  text = setTomlString(text, { header: "env.production.vars", key: "SUPPORT_EMAIL", value: "support@acme.test" });
  writeFileSync(configPath, text);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function account(overrides: Partial<Account> = {}): Account {
  return {
    login: "alice",
    workersSubdomain: "acme",
    databases: [],
    buckets: [],
    queues: [],
    workerSecrets: ALL_WORKER_SECRETS,
    roomsEnv: ["ROOM_TOKEN_SECRET"],
    ...overrides,
  };
}

const flag = (args: string[], name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};

/** Answers like wrangler 4 and partykit against `state`, changing it as creates would; records each call. */
function fakeRunner(state: Account) {
  const calls: Call[] = [];
  let created = 0;
  const run = async (tool: string, args: string[]) => {
    const call: Call = { tool, args };
    calls.push(call);
    const ok = (output = "") => ({ code: 0, output });
    const [a, b, c] = args;
    if (tool === "vite") return ok("built");
    if (tool === "partykit") {
      if (a === "whoami") return ok(`Logged in as ${state.login} (github)`);
      if (a === "env" && b === "list") return ok(`Deployed variables: ${state.roomsEnv.join(", ")}`);
      if (a === "deploy")
        return ok(`Deployed party/room.ts to https://${flag(args, "--name")}.${state.partykitOwner ?? state.login}.partykit.dev`);
    }
    if (tool === "wrangler") {
      if (a === "secret" && b === "list") {
        const placed = readWranglerConfig(flag(args, "--config")).name.includes("-api");
        const secrets = placed ? (state.placedSecrets ?? state.workerSecrets) : state.workerSecrets;
        return ok(JSON.stringify(secrets.map((name) => ({ name, type: "secret_text" }))));
      }
      if (a === "d1" && b === "list") return ok(JSON.stringify(state.databases.map((db) => ({ ...db, version: "production" }))));
      if (a === "d1" && b === "create") {
        const uuid = `1111111${++created}-2222-3333-4444-555555555555`;
        state.databases.push({ name: c!, uuid });
        return ok(`✅ Successfully created DB '${c}'\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "${c}"\ndatabase_id = "${uuid}"`);
      }
      if (a === "r2" && c === "list")
        return ok(
          `Listing buckets...\n${state.buckets.map((name) => `name:           ${name}\ncreation_date:  2026-01-01T00:00:00.000Z`).join("\n\n")}`,
        );
      if (a === "r2" && c === "create") {
        state.buckets.push(args[3]!);
        return ok("Created bucket");
      }
      if (a === "queues" && b === "list") {
        const rows = state.queues.map((name, i) => `│ ${String(i).padStart(32, "0")} │ ${name} │ 2026-01-01 │ 2026-01-01 │ 1 │ 1 │`);
        return ok(["┌──┐", "│ id │ name │ created_on │ modified_on │ producers │ consumers │", ...rows, "└──┘"].join("\n"));
      }
      if (a === "queues" && b === "create") {
        state.queues.push(c!);
        return ok(`Created queue ${c}`);
      }
      if (a === "d1" && b === "migrations") return ok("Migrations applied");
      if (a === "deploy") {
        // What the Worker is deployed with: its generated config file as it is at this moment.
        call.config = readWranglerConfig(flag(args, "--config")!) as WorkerConfig;
        call.vars = call.config.vars;
        const worker = call.config.name;
        if (state.consumedByEdge && call.config.queues?.consumers?.length)
          return { code: 1, output: `✘ [ERROR] Queue "plaza-mail-staging" already has a consumer: plaza-staging [code: 11004]` };
        const url = call.config.workers_dev === false ? "" : `  https://${worker}.${state.workersSubdomain}.workers.dev\n`;
        const crons = (call.config.triggers?.crons ?? []).map((cron: string) => `  schedule: ${cron}\n`).join("");
        return ok(`Uploaded ${worker}\nDeployed ${worker} triggers\n${url}${crons}`);
      }
    }
    return { code: 1, output: `fake runner: unexpected ${tool} ${args.join(" ")}` };
  };
  return { run, calls };
}

async function runDeploy(envName: string, state: Account, extra: Record<string, unknown> = {}) {
  const { run, calls } = fakeRunner(state);
  const lines: string[] = [];
  const code = await deploy(
    {
      envName,
      configPath,
      partykitPath: join(ROOT, "partykit.json"),
      webConfigPath: join(ROOT, "web/vite.config.ts"),
      stripeEventTypes: runtime.stripeEventTypes,
      ...extra,
    },
    { run, log: (line: string) => lines.push(line) },
  );
  return { code, calls, output: lines.join("\n") };
}

const isDeployCall = (call: Call) => call.args[0] === "deploy" || call.args[1] === "migrations" || call.args.includes("create");
const workerDeploys = (calls: Call[]) => calls.filter((c) => c.tool === "wrangler" && c.args[0] === "deploy");

describe("npm run deploy (fake account)", () => {
  it("cross-wires the Worker's ROOMS_URL to the rooms' URL and the rooms' PLAZA_API_URL to the Worker's", async () => {
    const { code, calls, output } = await runDeploy("staging", account());
    expect(code, output).toBe(0);
    const [placed, worker] = workerDeploys(calls);
    const rooms = calls.find((c) => c.tool === "partykit" && c.args[0] === "deploy")!;
    expect(worker!.config?.name).toBe("plaza-staging");
    // The rooms' real URL (project plaza-rooms-staging under the PartyKit login), not the placeholder.
    const roomsUrl = "https://plaza-rooms-staging.alice.partykit.dev";
    expect(worker!.vars?.ROOMS_URL).toBe(roomsUrl);
    expect(placed!.vars?.ROOMS_URL).toBe(roomsUrl);
    expect(readWranglerConfig(configPath).env.staging.vars.ROOMS_URL).toBe(roomsUrl);
    expect(rooms.args).toEqual(
      expect.arrayContaining(["--name", "plaza-rooms-staging", "--var", "PLAZA_API_URL=https://plaza-staging.acme.workers.dev"]),
    );
    expect(worker!.vars?.APP_URL).toBe("https://plaza-staging.acme.workers.dev");
    expect(calls.indexOf(worker!)).toBeLessThan(calls.indexOf(rooms));
    // Both Stripe endpoints of this deployment, with the events the code handles.
    expect(output).toContain("https://plaza-staging.acme.workers.dev/v1/stripe/webhooks");
    expect(output).toContain("https://plaza-staging.acme.workers.dev/v1/stripe/connect-webhooks");
    for (const type of [...runtime.stripeEventTypes.platform, ...runtime.stripeEventTypes.connect]) expect(output).toContain(type);
  });

  it("stops before any change, exit 1, naming each missing secret and how to make it", async () => {
    const { code, calls, output } = await runDeploy(
      "staging",
      account({ workerSecrets: ["STRIPE_SECRET_KEY", "ROOM_TOKEN_SECRET"], roomsEnv: [] }),
    );
    expect(code).toBe(1);
    expect(calls.filter(isDeployCall)).toEqual([]);
    // Missing on both Workers (edge and placed): one generated value for both.
    expect(output).toContain(
      'v="$(node scripts/lib/deploy/new-secret.mjs JWT_SECRET)" && printf %s "$v" | npx wrangler secret put JWT_SECRET --env staging && printf %s "$v" | npx wrangler secret put JWT_SECRET --name plaza-api-staging',
    );
    expect(output).toContain("ENCRYPTION_KEYS");
    expect(output).toContain("npx wrangler secret put STRIPE_WEBHOOK_SECRET --name plaza-api-staging");
    // The rooms lack the shared room secret: one value, set on the Workers and the rooms.
    expect(output).toContain("npx partykit env add ROOM_TOKEN_SECRET --name plaza-rooms-staging");
    expect(output).not.toMatch(/STRIPE_SECRET_KEY \(Worker/);
    expect(output).toContain("nothing was deployed");
  });

  it("a production deploy missing only STRIPE_SECRET_KEY stops and asks for a live key", async () => {
    const { code, calls, output } = await runDeploy(
      "production",
      account({ workerSecrets: ALL_WORKER_SECRETS.filter((s) => s !== "STRIPE_SECRET_KEY") }),
    );
    expect(code).toBe(1);
    expect(calls.filter(isDeployCall)).toEqual([]);
    expect(output).toContain("STRIPE_SECRET_KEY");
    expect(output).toContain("sk_live_");
    expect(output).toContain("npx wrangler secret put STRIPE_SECRET_KEY --env production");
  });

  it("reuses what exists, creates what is missing and writes the D1 id into its own [env.*] section", async () => {
    const before = readFileSync(configPath, "utf8");
    const state = account({
      databases: [{ name: "plaza-staging", uuid: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" }],
      buckets: ["plaza-bundles-staging"],
      queues: ["plaza-mail-staging", "plaza-mail-dlq-staging", "plaza-bundles"],
    });
    const { code, calls, output } = await runDeploy("staging", state);
    expect(code, output).toBe(0);
    const creates = calls.filter((c) => c.args.includes("create")).map((c) => c.args.slice(0, 4).join(" "));
    expect(creates).not.toContain("d1 create plaza-staging");
    expect(creates.some((c) => c.startsWith("r2 bucket create"))).toBe(false);
    expect(creates).not.toContain("queues create plaza-mail-staging --config");
    expect(creates.filter((c) => c.startsWith("queues create")).length).toBe(12 - 2);
    expect(state.queues).toEqual(
      expect.arrayContaining(["plaza-stripe-events-staging", "plaza-webhooks-dlq-staging", "plaza-uploads-dlq-staging"]),
    );
    const config = readWranglerConfig(configPath);
    expect(config.env.staging.d1_databases[0].database_id).toBe("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    expect(config.env.production.d1_databases[0].database_id).toBe("00000000-0000-0000-0000-000000000000");
    expect(config.d1_databases[0].database_id).toBe("00000000-0000-0000-0000-000000000000");
    // Surgical: only the id and ROOMS_URL lines changed; every comment is still there.
    const after = readFileSync(configPath, "utf8");
    const changed = after.split("\n").filter((line, i) => line !== before.split("\n")[i]);
    expect(changed).toEqual([
      'ROOMS_URL = "https://plaza-rooms-staging.alice.partykit.dev"',
      'database_id = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"',
    ]);
    // Migrations ran on the remote database of this environment.
    expect(
      calls.some((c) => c.args.slice(0, 5).join(" ") === "d1 migrations apply DB --remote" && flag(c.args, "--env") === "staging"),
    ).toBe(true);
  });

  it("creates a missing D1 database and writes the id wrangler gave it into [env.production]", async () => {
    const state = account();
    const { code, output } = await runDeploy("production", state);
    expect(code, output).toBe(0);
    expect(state.databases.map((db) => db.name)).toEqual(["plaza"]);
    expect(state.buckets).toEqual(["plaza-bundles"]);
    const config = readWranglerConfig(configPath);
    expect(config.env.production.d1_databases[0].database_id).toBe(state.databases[0]!.uuid);
    expect(config.env.staging.d1_databases[0].database_id).toBe("00000000-0000-0000-0000-000000000000");
  });

  it("rooms that land elsewhere than predicted: ROOMS_URL follows them and the Worker is deployed again", async () => {
    const { code, calls, output } = await runDeploy("staging", account({ partykitOwner: "acme-team" }));
    expect(code, output).toBe(0);
    expect(workerDeploys(calls).map((c) => `${c.config?.name} ${c.vars?.ROOMS_URL}`)).toEqual([
      "plaza-api-staging https://plaza-rooms-staging.alice.partykit.dev",
      "plaza-staging https://plaza-rooms-staging.alice.partykit.dev",
      "plaza-api-staging https://plaza-rooms-staging.acme-team.partykit.dev",
      "plaza-staging https://plaza-rooms-staging.acme-team.partykit.dev",
    ]);
    expect(readWranglerConfig(configPath).env.staging.vars.ROOMS_URL).toBe("https://plaza-rooms-staging.acme-team.partykit.dev");
  });

  it("deploys the placed Worker, then the edge Worker bound to it, each from a config made from [env.staging]", async () => {
    const state = account({ databases: [{ name: "plaza-staging", uuid: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" }] });
    const { code, calls, output } = await runDeploy("staging", state);
    expect(code, output).toBe(0);
    const [placed, edge, ...more] = workerDeploys(calls);
    expect(more).toEqual([]);
    expect(placed!.config).toMatchObject({ name: "plaza-api-staging", placement: { mode: "smart" }, workers_dev: false });
    expect(edge!.config).toMatchObject({ name: "plaza-staging", services: [{ binding: "PLACED", service: "plaza-api-staging" }] });
    // Both are deployed with the database id the deploy found, written into wrangler.toml moments before.
    for (const worker of [placed!, edge!]) expect(worker.config?.d1_databases[0].database_id).toBe("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    // Both check their secrets before anything changes.
    const secretLists = calls.filter((c) => c.args[0] === "secret").map((c) => readWranglerConfig(flag(c.args, "--config")).name);
    expect(secretLists).toEqual(["plaza-staging", "plaza-api-staging"]);
    expect(output).toContain("plaza-api-staging (placed)");
  });

  it("a secret the edge Worker has and the placed one lacks is asked for with the same value, never a fresh one", async () => {
    const placedSecrets = ALL_WORKER_SECRETS.filter((s) => s !== "ENCRYPTION_KEYS");
    const { code, calls, output } = await runDeploy("staging", account({ placedSecrets }));
    expect(code).toBe(1);
    expect(calls.filter(isDeployCall)).toEqual([]);
    expect(output).toContain("ENCRYPTION_KEYS (Worker plaza-api-staging)");
    expect(output).toContain("ENCRYPTION_KEYS (missing on plaza-api-staging only)");
    expect(output).toContain("npx wrangler secret put ENCRYPTION_KEYS --name plaza-api-staging");
    expect(output).not.toContain("new-secret.mjs ENCRYPTION_KEYS");
  });

  it("queues still consumed by a deploy from before the split: stops with the commands that hand them over", async () => {
    const { code, calls, output } = await runDeploy("staging", account({ consumedByEdge: true }));
    expect(code).toBe(1);
    expect(workerDeploys(calls).map((c) => c.config?.name)).toEqual(["plaza-api-staging"]);
    expect(output).toContain("npx wrangler queues consumer remove plaza-mail-staging plaza-staging");
    expect(output).toContain("npx wrangler queues consumer remove plaza-uploads-dlq-staging plaza-staging");
  });

  it("stops when the Worker is not reported at APP_URL, before deploying the rooms", async () => {
    const { code, calls, output } = await runDeploy("staging", account({ workersSubdomain: "someone-else" }));
    expect(code).toBe(1);
    expect(output).toContain("APP_URL");
    expect(calls.some((c) => c.tool === "partykit" && c.args[0] === "deploy")).toBe(false);
  });

  it("a production deploy with the demo seller on its legal pages stops before running anything", async () => {
    writeFileSync(
      configPath,
      setTomlString(readFileSync(configPath, "utf8"), {
        header: "env.production.vars",
        key: "SUPPORT_EMAIL",
        value: "support@plaza.example",
      }),
    );
    const { code, calls, output } = await runDeploy("production", account());
    expect(code).toBe(1);
    expect(calls).toEqual([]);
    expect(output).toContain('SUPPORT_EMAIL = "support@plaza.example"');
  });

  it("refuses vars the Worker's own check refuses (the legal pages' settings), before running anything", async () => {
    writeFileSync(
      configPath,
      setTomlString(readFileSync(configPath, "utf8"), { header: "env.staging.vars", key: "REFUND_WINDOW_DAYS", value: "two weeks" }),
    );
    const checkVars = (vars: Record<string, string>) => {
      const legal = legalConfig(vars);
      return legal.ok ? [] : legal.problems;
    };
    const { code, calls, output } = await runDeploy("staging", account(), { dryRun: true, skipWebBuild: true, checkVars });
    expect(code).toBe(1);
    expect(calls).toEqual([]);
    expect(output).toContain("[env.staging] vars.REFUND_WINDOW_DAYS");
  });

  it("refuses a config whose environment lacks a binding, before running anything", async () => {
    const text = readFileSync(configPath, "utf8").replace(
      '[[env.staging.r2_buckets]]\nbinding = "BUCKET"\nbucket_name = "plaza-bundles-staging"\n',
      "",
    );
    writeFileSync(configPath, text);
    const { code, calls, output } = await runDeploy("staging", account(), { dryRun: true, skipWebBuild: true });
    expect(code).toBe(1);
    expect(calls).toEqual([]);
    expect(output).toContain("[env.staging] r2_buckets bindings");
  });
});

describe("the edge and placed Workers of each environment (scripts/lib/deploy/pair.mjs)", () => {
  const config = readWranglerConfig(join(ROOT, "wrangler.toml"));
  const consumers = (worker: WorkerConfig) => (worker.queues?.consumers ?? []).map((c: { queue: string }) => c.queue);

  it.each([
    ["staging", "plaza-staging", "plaza-api-staging"],
    ["production", "plaza", "plaza-api"],
  ])(
    "%s: the placed Worker has Smart Placement, every consumer and cron; the edge none, and PLACED bound to it",
    (envName, edgeName, placedName) => {
      const env = config.env[envName];
      const { edge, placed } = deployPair(config, envName, join(ROOT, "wrangler.toml")) as { edge: WorkerConfig; placed: WorkerConfig };

      expect(placed.name).toBe(placedName);
      expect(placed.placement).toEqual({ mode: "smart" });
      expect(placed.workers_dev).toBe(false);
      expect(consumers(placed).sort()).toEqual(env.queues.consumers.map((c: { queue: string }) => c.queue).sort());
      expect(consumers(placed).length).toBeGreaterThan(0);
      expect(placed.triggers.crons).toEqual(env.triggers.crons);
      expect(placed.triggers.crons.length).toBeGreaterThan(0);
      expect(placed.services ?? []).toEqual([]);
      expect(placed.migrations ?? []).toEqual(env.migrations ?? []);

      expect(edge.name).toBe(edgeName);
      expect(edge.placement).toBeUndefined();
      expect(edge.workers_dev).not.toBe(false);
      expect(consumers(edge)).toEqual([]);
      expect(edge.triggers.crons).toEqual([]);
      expect(edge.services).toEqual([{ binding: "PLACED", service: placedName }]);
      expect(edge.migrations).toBeUndefined();
      // Durable Objects exist once, in the placed Worker: the edge's bindings name it.
      for (const binding of edge.durable_objects?.bindings ?? []) expect(binding.script_name).toBe(placedName);

      // Both have every other binding and var of the environment, with absolute paths.
      for (const worker of [edge, placed]) {
        expect(worker.vars).toEqual(env.vars);
        expect(worker.d1_databases.map((db: { database_name: string }) => db.database_name)).toEqual(
          env.d1_databases.map((db: { database_name: string }) => db.database_name),
        );
        expect(worker.queues.producers).toEqual(env.queues.producers);
        expect(worker.r2_buckets).toEqual(env.r2_buckets);
        expect(worker.main).toBe(join(ROOT, "worker/src/index.ts"));
        expect(worker.assets.directory).toBe(join(ROOT, "web/dist"));
        expect(worker.d1_databases[0].migrations_dir).toBe(join(ROOT, "migrations"));
        expect(worker.compatibility_date).toBe(config.compatibility_date);
      }
    },
  );
});

describe("wrangler.toml environments", () => {
  it("each has every binding, queue consumer, var, cron and asset setting of the top level, and resources of its own", () => {
    const config = readWranglerConfig(join(ROOT, "wrangler.toml"));
    expect(envProblems(config, "staging")).toEqual([]);
    expect(envProblems(config, "production")).toEqual([]);
  });

  it("the check catches a missing consumer, a localhost var and a resource shared between environments", () => {
    const config = readWranglerConfig(join(ROOT, "wrangler.toml"));
    config.env.staging.queues.consumers.pop();
    config.env.staging.vars.ROOMS_URL = "http://localhost:1999";
    config.env.staging.r2_buckets[0].bucket_name = "plaza-bundles";
    const problems = envProblems(config, "staging").join("\n");
    expect(problems).toContain("no queue consumer matching the top level's plaza-uploads-dlq");
    expect(problems).toContain("vars.ROOMS_URL points at this machine");
    expect(problems).toContain("shares bucket plaza-bundles with [env.production]");
  });

  it("the check catches a Durable Object binding or migration an environment lacks (neither is inherited)", () => {
    const config = readWranglerConfig(join(ROOT, "wrangler.toml"));
    expect(config.durable_objects?.bindings?.map((b: { name: string }) => b.name)).toContain("RATE_LIMITS");
    config.env.staging.durable_objects = { bindings: [] };
    delete config.env.production.migrations;
    expect(envProblems(config, "staging").join("\n")).toContain("[env.staging] durable_objects bindings");
    expect(envProblems(config, "production").join("\n")).toContain("[env.production] migrations");
  });
});

describe("npm run deploy -- --env production --dry-run (real wrangler, no account)", () => {
  it("validates, bundles with `wrangler deploy --dry-run`, reports the size and passes on this checkout", async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolveRun, reject) => {
      // web/dist is the suite's own fresh build (scripts/test.mjs); rebuilding it here would pull it
      // from under the browser tests running beside this file.
      const args = ["--import", "tsx", "scripts/deploy.mjs", "--env", "production", "--dry-run", "--skip-web-build"];
      // Two wrangler CLI runs' worth: the Stripe event types (tsx) and the bundle (about 5 s when idle).
      const child = spawn(NODE22, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], timeout: 2 * WAIT.serverStart });
      let text = "";
      child.stdout.on("data", (d) => (text += d));
      child.stderr.on("data", (d) => (text += d));
      child.on("error", reject);
      child.on("close", (exit) => resolveRun({ code: exit, output: text }));
    });
    expect(code, output).toBe(0);
    expect(output).toContain("--dry-run: exiting now.");
    expect(output).toMatch(/Worker bundle of plaza-api \(placed\): [\d.]+ KiB, gzip [\d.]+ KiB .*: fits/);
    expect(output).toMatch(/Worker bundle of plaza \(edge\): [\d.]+ KiB, gzip [\d.]+ KiB .*: fits/);
    expect(output).toContain("✓ dry run of production passed");
  });
});
