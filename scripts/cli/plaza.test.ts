// The `plaza` CLI end to end: the real CLI as a child process against the real Worker (wrangler dev).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthTokensT, CreatedApiTokenT, OrgT } from "../../shared/api";
import type { ItemT, VersionT } from "../../shared/catalog";
import { eventually } from "../lib/eventually";
// @ts-expect-error: plain .mjs helpers without type declarations
import { ROOT } from "../lib/processes.mjs";
import { WAIT } from "../lib/wait-budgets.mjs";
// @ts-expect-error: plain .mjs helpers without type declarations
import { ephemeralSecrets, startWranglerDev } from "../lib/wrangler-dev.mjs";
// @ts-expect-error: plain .mjs module without type declarations
import { packFolder } from "./pack.mjs";

const CLI = join(ROOT, "scripts/cli/plaza.mjs");
const SLUG = "hello-cli";
const PASSWORD = "correct horse battery staple 42";

type Server = { url: string; stop: () => Promise<void>; output: () => string };
type CliResult = { code: number | null; stdout: string; stderr: string; output: string };

/**
 * Runs the CLI with only the given Plaza settings: nothing leaks in from the developer's shell. A
 * run is a handful of requests to the server, so one still going after WAIT.backgroundWork is stopped.
 */
function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const { PLAZA_TOKEN: _t, PLAZA_API_URL: _a, PLAZA_CONFIG_DIR: _c, ...baseEnv } = process.env;
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...baseEnv, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: WAIT.backgroundWork,
      killSignal: "SIGKILL",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") stderr += `\n[plaza ${args[0]} did not finish within ${WAIT.backgroundWork} ms]`;
      resolveRun({ code, stdout, stderr, output: stdout + stderr });
    });
  });
}

/** A plugin folder with the noise an author's folder has (.git, .env, node_modules) that must not ship. */
function writePluginFolder(manifest: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "plaza-cli-plugin-"));
  writeFileSync(join(dir, "plaza.json"), JSON.stringify(manifest, null, 2));
  mkdirSync(join(dir, "dist"));
  writeFileSync(join(dir, "dist/index.js"), "export function activate() { return 'hello'; }\n");
  writeFileSync(join(dir, "README.md"), "# Hello CLI\n");
  writeFileSync(join(dir, ".env"), "SECRET=do-not-ship\n");
  mkdirSync(join(dir, ".git"));
  writeFileSync(join(dir, ".git/HEAD"), "ref: refs/heads/main\n");
  mkdirSync(join(dir, "node_modules/left-pad"), { recursive: true });
  writeFileSync(join(dir, "node_modules/left-pad/index.js"), "module.exports = 1;\n");
  return dir;
}

const manifestFor = (version: string, enginesPlaza = "^1.0.0") => ({
  name: SLUG,
  version,
  entry: "dist/index.js",
  permissions: ["storage"],
  engines: { plaza: enginesPlaza },
  dependencies: {},
});

describe("plaza CLI against wrangler dev", () => {
  let server: Server;
  let accessToken: string;
  let apiToken: string;
  let orgId: string;
  let itemId: string;
  const email = `cli-${Date.now()}@example.com`;
  const configDir = mkdtempSync(join(tmpdir(), "plaza-cli-config-"));
  const cliEnv = { PLAZA_CONFIG_DIR: configDir };

  /** `T` is the body's type where the caller reads it; null when the answer is not JSON. */
  async function call<T = unknown>(method: string, path: string, { token, body }: { token?: string; body?: unknown } = {}) {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => null);
    return { status: res.status, body: json as T | null };
  }

  async function expectCall<T = unknown>(status: number, method: string, path: string, options?: { token?: string; body?: unknown }) {
    const res = await call<T>(method, path, options);
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T;
  }

  beforeAll(async () => {
    server = await startWranglerDev({ secrets: ephemeralSecrets() });
    await expectCall(201, "POST", "/v1/auth/signup", { body: { email, password: PASSWORD, name: "Cli Author" } });
    // The verification mail goes through the mail outbox; wait until it is there.
    const verifyToken = await eventually("the verification e-mail", async () => {
      const { body } = await call<{ data: { to: string; text: string }[] }>("GET", "/dev/mailbox.json");
      const mail = (body?.data ?? []).find((m) => m.to === email && m.text.includes("/verify-email?token="));
      return mail ? /\/verify-email\?token=([^\s&"<>]+)/.exec(mail.text)![1] : undefined;
    });
    await expectCall(200, "POST", "/v1/auth/verify-email", { body: { token: decodeURIComponent(verifyToken) } });
    accessToken = (await expectCall<AuthTokensT>(200, "POST", "/v1/auth/login", { body: { email, password: PASSWORD } })).accessToken;
    const org = await expectCall<OrgT>(201, "POST", "/v1/orgs", {
      token: accessToken,
      body: { name: "CLI Org", slug: `cli-org-${Date.now()}` },
    });
    orgId = org.id;
    itemId = (
      await expectCall<ItemT>(201, "POST", `/v1/orgs/${org.id}/items`, {
        token: accessToken,
        body: {
          slug: SLUG,
          name: "Hello CLI",
          summary: "Says hello",
          description: "Published by the CLI test",
          category: "productivity",
          tags: [],
          pricing: { model: "free" },
        },
      })
    ).id;
    apiToken = (
      await expectCall<CreatedApiTokenT>(201, "POST", "/v1/me/tokens", {
        token: accessToken,
        body: { name: "cli", scopes: ["catalog:write", "profile:read"] },
      })
    ).token;
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("logs in with an API token, says who it belongs to and stores it owner-only", async () => {
    const result = await runCli(["login", "--token", apiToken, "--api", server.url], cliEnv);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain(email);
    const credentials = join(configDir, "credentials.json");
    expect(JSON.parse(readFileSync(credentials, "utf8"))).toEqual({ api: server.url, token: apiToken });
    expect(statSync(credentials).mode & 0o777).toBe(0o600);

    const whoami = await runCli(["whoami"], cliEnv);
    expect(whoami.code, whoami.output).toBe(0);
    expect(whoami.stdout).toContain(email);
  });

  it("accepts a publish-only token (catalog:write without profile:read) at login", async () => {
    const publishOnly = (
      await expectCall<CreatedApiTokenT>(201, "POST", "/v1/me/tokens", {
        token: accessToken,
        body: { name: "ci", scopes: ["catalog:write"] },
      })
    ).token;
    const otherConfig = mkdtempSync(join(tmpdir(), "plaza-cli-config-"));
    const result = await runCli(["login", "--token", publishOnly, "--api", server.url], { PLAZA_CONFIG_DIR: otherConfig });
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain("Token accepted");
  });

  it("refuses a token the server does not know, and keeps the stored one", async () => {
    const result = await runCli(["login", "--token", "plz_not-a-real-token", "--api", server.url], cliEnv);
    expect(result.code, result.output).toBe(1);
    expect(result.stderr).toMatch(/token was refused/i);
    expect(JSON.parse(readFileSync(join(configDir, "credentials.json"), "utf8")).token).toBe(apiToken);
  });

  it("publishes a folder and prints the version's URL; the server stores the SHA-256 the CLI computed", async () => {
    const dir = writePluginFolder(manifestFor("1.0.0"));
    const result = await runCli(["publish", dir, "--changelog", "First release"], cliEnv);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain(`${server.url}/items/${SLUG}?version=1.0.0`);
    const sha256 = /sha256 ([a-f0-9]{64})/.exec(result.stdout)?.[1];
    expect(sha256, result.stdout).toBeDefined();

    // Reproducible, and without the author's private files.
    const packed = await packFolder(dir);
    expect(packed.sha256).toBe(sha256);
    expect(packed.files).toEqual(["README.md", "dist/index.js", "plaza.json"]);

    // The public list shows visible items only; a draft item can be published once it has a version.
    await expectCall(200, "PATCH", `/v1/orgs/${orgId}/items/${itemId}`, { token: accessToken, body: { status: "published" } });
    const { data: versions } = await expectCall<{ data: VersionT[] }>(200, "GET", `/v1/items/${SLUG}/versions`);
    expect(versions).toEqual(
      expect.arrayContaining([expect.objectContaining({ version: "1.0.0", channel: "stable", sha256, size: packed.size })]),
    );
  });

  it("prints every field error of an invalid manifest with its path and exits 1", async () => {
    const dir = writePluginFolder(manifestFor("1.1.0", "not a range"));
    const result = await runCli(["publish", dir], cliEnv);
    expect(result.code, result.output).toBe(1);
    expect(result.stderr).toMatch(/engines\.plaza.*must be a semver range/);
  });

  it("refuses to publish the same version twice with the conflict message", async () => {
    const dir = writePluginFolder(manifestFor("1.0.0"));
    const result = await runCli(["publish", dir], cliEnv);
    expect(result.code, result.output).toBe(1);
    expect(result.stderr).toMatch(/already exists/);
    expect(result.stderr).toContain("conflict");
  });

  it("tells a usage mistake apart from a failure (exit 2)", async () => {
    const result = await runCli(["publish", "--channel", "nightly"], cliEnv);
    expect(result.code, result.output).toBe(2);
    expect(result.stderr).toContain("--channel must be one of: stable, beta");
  });
});
