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
import { NODE22, ROOT } from "./lib/processes.mjs";
import { WAIT } from "./lib/wait-budgets.mjs";

type Call = { tool: string; args: string[]; vars?: Record<string, string> };
type Account = {
  login: string;
  workersSubdomain: string;
  databases: { name: string; uuid: string }[];
  buckets: string[];
  queues: string[];
  workerSecrets: string[];
  roomsEnv: string[];
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
      if (a === "secret" && b === "list") return ok(JSON.stringify(state.workerSecrets.map((name) => ({ name, type: "secret_text" }))));
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
        // What the Worker is deployed with: the config file as it is at this moment.
        const env = flag(args, "--env")!;
        call.vars = readWranglerConfig(flag(args, "--config")).env[env].vars;
        const worker = env === "production" ? "plaza" : `plaza-${env}`;
        return ok(
          `Uploaded ${worker}\nDeployed ${worker} triggers\n  https://${worker}.${state.workersSubdomain}.workers.dev\n  schedule: */5 * * * *`,
        );
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

describe("npm run deploy (fake account)", () => {
  it("cross-wires the Worker's ROOMS_URL to the rooms' URL and the rooms' PLAZA_API_URL to the Worker's", async () => {
    const { code, calls, output } = await runDeploy("staging", account());
    expect(code, output).toBe(0);
    const worker = calls.find((c) => c.tool === "wrangler" && c.args[0] === "deploy")!;
    const rooms = calls.find((c) => c.tool === "partykit" && c.args[0] === "deploy")!;
    expect(worker.args).toEqual(expect.arrayContaining(["--env", "staging"]));
    // The rooms' real URL (project plaza-rooms-staging under the PartyKit login), not the placeholder.
    const roomsUrl = "https://plaza-rooms-staging.alice.partykit.dev";
    expect(worker.vars?.ROOMS_URL).toBe(roomsUrl);
    expect(readWranglerConfig(configPath).env.staging.vars.ROOMS_URL).toBe(roomsUrl);
    expect(rooms.args).toEqual(
      expect.arrayContaining(["--name", "plaza-rooms-staging", "--var", "PLAZA_API_URL=https://plaza-staging.acme.workers.dev"]),
    );
    expect(worker.vars?.APP_URL).toBe("https://plaza-staging.acme.workers.dev");
    expect(calls.indexOf(worker)).toBeLessThan(calls.indexOf(rooms));
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
    expect(output).toContain("npx wrangler secret put JWT_SECRET --env staging");
    expect(output).toContain("node scripts/lib/deploy/new-secret.mjs JWT_SECRET | npx wrangler secret put JWT_SECRET --env staging");
    expect(output).toContain("ENCRYPTION_KEYS");
    expect(output).toContain("STRIPE_WEBHOOK_SECRET");
    // The rooms lack the shared room secret: one value, set on both sides.
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
    const workerDeploys = calls.filter((c) => c.tool === "wrangler" && c.args[0] === "deploy");
    expect(workerDeploys.map((c) => c.vars?.ROOMS_URL)).toEqual([
      "https://plaza-rooms-staging.alice.partykit.dev",
      "https://plaza-rooms-staging.acme-team.partykit.dev",
    ]);
    expect(readWranglerConfig(configPath).env.staging.vars.ROOMS_URL).toBe("https://plaza-rooms-staging.acme-team.partykit.dev");
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
    expect(output).toMatch(/Worker bundle: [\d.]+ KiB, gzip [\d.]+ KiB .*: fits/);
    expect(output).toContain("✓ dry run of production passed");
  });
});
