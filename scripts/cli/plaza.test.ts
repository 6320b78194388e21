// The `plaza` CLI end to end: the real CLI as a child process against the real Worker (wrangler dev).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthTokensT, CreatedApiTokenT, OrgT } from "../../shared/api";
import type { ItemT, VersionT } from "../../shared/catalog";
import { Manifest } from "../../shared/manifest";
import { eventually } from "../lib/eventually";
// @ts-expect-error: plain .mjs helpers without type declarations
import { ROOT } from "../lib/processes.mjs";
// @ts-expect-error: plain .mjs helpers without type declarations
import { startRelay } from "../lib/tcp-relay.mjs";
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

/** The environment with only the given Plaza settings: nothing leaks in from the developer's shell. */
function cliEnvWith(env: Record<string, string>) {
  const { PLAZA_TOKEN: _t, PLAZA_API_URL: _a, PLAZA_CONFIG_DIR: _c, ...baseEnv } = process.env;
  return { ...baseEnv, ...env };
}

/**
 * Starts the CLI without a terminal, as a script or CI would. A run is a handful of requests to the
 * server, so one still going after WAIT.backgroundWork is stopped.
 */
function startCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: cliEnvWith(env),
    stdio: ["ignore", "pipe", "pipe"],
    timeout: WAIT.backgroundWork,
    killSignal: "SIGKILL",
  });
  const result = new Promise<CliResult>((resolveRun, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") stderr += `\n[plaza ${args[0]} stopped by SIGKILL (after at most ${WAIT.backgroundWork} ms)]`;
      resolveRun({ code, stdout, stderr, output: stdout + stderr });
    });
  });
  return { child, result };
}

const runCli = (args: string[], env: Record<string, string>): Promise<CliResult> => startCli(args, env).result;

const shellQuote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`), as a person at a terminal: each answer
 * is typed, with Enter, once its question shows after the previous one. The screen is stdout and
 * stderr together, with the terminal's control sequences.
 */
async function runCliInTerminal(args: string[], env: Record<string, string>, dialogue: [question: string, answer: string][]) {
  const command = [process.execPath, CLI, ...args].map(shellQuote).join(" ");
  const child = spawn("script", ["--quiet", "--return", "--command", command, "/dev/null"], {
    env: cliEnvWith(env),
    stdio: ["pipe", "pipe", "pipe"],
    timeout: WAIT.backgroundWork,
    killSignal: "SIGKILL",
  });
  let screen = "";
  let closed = false;
  child.stdout.on("data", (d) => (screen += d));
  child.stderr.on("data", (d) => (screen += d));
  // "close" comes after the last output, so a question the CLI printed is on the screen by then.
  const exited = new Promise<number | null>((resolveExit, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      closed = true;
      resolveExit(code);
    });
  });
  let seenUpTo = 0;
  for (const [question, answer] of dialogue) {
    seenUpTo = await eventually(`the question "${question}" on the terminal`, () => {
      const at = screen.indexOf(question, seenUpTo);
      if (at >= 0) return at + question.length;
      return closed ? -1 : undefined;
    });
    if (seenUpTo < 0) throw new Error(`plaza ${args[0]} ended without asking "${question}":\n${screen}`);
    child.stdin.write(`${answer}\r`);
  }
  const code = await exited;
  child.stdin.end();
  return { code, output: screen };
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

const manifestFor = (version: string, enginesPlaza = "^1.0.0", slug = SLUG) => ({
  name: slug,
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
        body: { name: "cli", scopes: ["catalog:write", "catalog:read", "profile:read"] },
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
    // Without a terminal: no progress line, only the final one.
    expect(result.stdout).toMatch(/^Uploaded [\d.]+ (B|KiB)$/m);
    // The server verifies the stored file off the last PATCH; the CLI waits for the outcome.
    expect(result.stdout).toMatch(/^Uploaded .*\nVerifying the upload…\nPublished /m);
    expect(result.stdout).not.toContain("\r");
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

  /** A folder for `plaza init`, holding only what the test puts there. */
  function emptyFolder(name = ""): string {
    const dir = join(mkdtempSync(join(tmpdir(), "plaza-cli-init-")), name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
  const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));
  const orgItems = async () => (await expectCall<{ data: ItemT[] }>(200, "GET", `/v1/orgs/${orgId}/items`, { token: accessToken })).data;
  const orgVersions = async () =>
    (await expectCall<{ data: VersionT[] }>(200, "GET", `/v1/orgs/${orgId}/items/${itemId}/versions`, { token: accessToken })).data;

  it("init writes a valid plaza.json from package.json and flags, and overwrites one only with --force", async () => {
    const dir = emptyFolder();
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "@acme/hello-init", version: "0.3.0", main: "./dist/main.js" }));
    const result = await runCli(["init", dir, "--yes", "--permissions", "storage,network"], cliEnv);
    expect(result.code, result.output).toBe(0);
    const written = readJson(join(dir, "plaza.json"));
    expect(written).toEqual({
      name: "hello-init",
      version: "0.3.0",
      entry: "dist/main.js",
      permissions: ["storage", "network"],
      engines: { plaza: "^1.0.0" },
      dependencies: {},
    });
    expect(Manifest.safeParse(written).success).toBe(true);

    // The author edits it; a second init must not undo that by accident.
    const edited = { ...written, dependencies: { "other-plugin": "^2.0.0" } };
    writeFileSync(join(dir, "plaza.json"), JSON.stringify(edited));
    const refused = await runCli(["init", dir, "--yes", "--version", "2.0.0"], cliEnv);
    expect(refused.code, refused.output).toBe(1);
    expect(refused.stderr).toContain("plaza.json already exists");
    expect(refused.stderr).toContain("--force");
    expect(readJson(join(dir, "plaza.json"))).toEqual(edited);

    // --force replaces it, offering its values as the defaults (as `npm init` does with package.json).
    const forced = await runCli(["init", dir, "--yes", "--force", "--slug", "hello-forced", "--version", "2.0.0"], cliEnv);
    expect(forced.code, forced.output).toBe(0);
    expect(readJson(join(dir, "plaza.json"))).toEqual({ ...edited, name: "hello-forced", version: "2.0.0" });
  });

  it("init names every invalid value with its field and writes nothing; without a terminal it needs --yes", async () => {
    const dir = emptyFolder();
    const invalid = await runCli(["init", dir, "--yes", "--name", "Not_A_Slug", "--version", "1.0", "--engine", "not a range"], cliEnv);
    expect(invalid.code, invalid.output).toBe(1);
    expect(invalid.stderr).toMatch(/name \(plaza\.json\): must be the item's slug/);
    expect(invalid.stderr).toMatch(/version \(plaza\.json\): must be a semantic version/);
    expect(invalid.stderr).toMatch(/engines\.plaza \(plaza\.json\): must be a semver range/);
    expect(existsSync(join(dir, "plaza.json"))).toBe(false);

    const unattended = await runCli(["init", dir, "--name", "hello-init"], cliEnv);
    expect(unattended.code, unattended.output).toBe(2);
    expect(unattended.stderr).toContain("--yes");
    expect(existsSync(join(dir, "plaza.json"))).toBe(false);
  });

  it("init asks on a terminal, offering defaults, and asks again after an invalid answer", async () => {
    const dir = emptyFolder("Terminal Plugin");
    const result = await runCliInTerminal(["init", dir], cliEnv, [
      ["name (the item's slug): (terminal-plugin)", ""],
      ["version: (1.0.0)", "1.0"],
      ["version: (1.0.0)", "0.2.0"],
      ["entry (the module the bundle starts from): (dist/index.js)", ""],
      ["permissions (", "storage, clipboard"],
      ["engines.plaza (the Plaza versions it runs on): (^1.0.0)", ""],
    ]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain("must be a semantic version like 1.2.3");
    expect(readJson(join(dir, "plaza.json"))).toEqual({
      name: "terminal-plugin",
      version: "0.2.0",
      entry: "dist/index.js",
      permissions: ["storage", "clipboard"],
      engines: { plaza: "^1.0.0" },
      dependencies: {},
    });
  });

  it("publish stops at an item that does not exist unless --create, and --create makes it a draft and publishes", async () => {
    const dir = writePluginFolder(manifestFor("0.1.0", "^1.0.0", "cli-made"));
    const refused = await runCli(["publish", dir], cliEnv);
    expect(refused.code, refused.output).toBe(1);
    expect(refused.stderr).toContain('Item "cli-made" does not exist');
    expect(refused.stderr).toContain("--create");
    expect((await orgItems()).map((i) => i.slug)).not.toContain("cli-made");

    const created = await runCli(["publish", dir, "--create", "--display-name", "Made By CLI", "--category", "developer-tools"], cliEnv);
    expect(created.code, created.output).toBe(0);
    const item = (await orgItems()).find((i) => i.slug === "cli-made");
    expect(item).toMatchObject({ name: "Made By CLI", category: "developer-tools", status: "draft", latestVersion: "0.1.0" });
    expect(created.stdout).toContain(`${server.url}/dashboard/items/${item!.id}/details`);
    expect(created.stdout).toContain(`${server.url}/items/cli-made?version=0.1.0`);
  });

  it("publish --create reports the server's per-field refusals of the new item and creates nothing", async () => {
    const dir = writePluginFolder(manifestFor("0.1.0", "^1.0.0", "cli-uncategorised"));
    const result = await runCli(["publish", dir, "--create", "--category", "gadgets"], cliEnv);
    expect(result.code, result.output).toBe(1);
    expect(result.stderr).toContain('Cannot create the item "cli-uncategorised"');
    expect(result.stderr).toMatch(/--category: .*"productivity"/);
    expect((await orgItems()).map((i) => i.slug)).not.toContain("cli-uncategorised");
  });

  it("publish on a terminal asks before creating the item: yes creates and publishes, no publishes nothing", async () => {
    const question = "Create it as a draft in the org";
    const declined = await runCliInTerminal(["publish", writePluginFolder(manifestFor("1.0.0", "^1.0.0", "cli-declined"))], cliEnv, [
      [question, "n"],
    ]);
    expect(declined.code, declined.output).toBe(1);
    expect(declined.output).toContain("Nothing was published");

    const accepted = await runCliInTerminal(["publish", writePluginFolder(manifestFor("1.0.0", "^1.0.0", "cli-asked"))], cliEnv, [
      [question, "y"],
    ]);
    expect(accepted.code, accepted.output).toBe(0);
    expect(accepted.output).toContain("Published cli-asked@1.0.0");
    // On a terminal the upload shows a progress line, redrawn in place.
    expect(accepted.output).toContain("\r\x1b[KUploading ");
    expect(accepted.output).toMatch(/Uploading [\d.]+ (B|KiB|MiB) of [\d.]+ (B|KiB|MiB) \(100 %\)/);
    const slugs = (await orgItems()).map((i) => i.slug);
    expect(slugs).toContain("cli-asked");
    expect(slugs).not.toContain("cli-declined");
  });

  it("publish uploads over tus and, killed mid-upload, resumes from the server's offset when run again", async () => {
    const MiB = 1024 * 1024;
    const slug = "cli-big";
    const dir = writePluginFolder(manifestFor("1.0.0", "^1.0.0", slug));
    // Random bytes do not compress: the archive is about 20 MiB, three 8 MiB PATCHes.
    writeFileSync(join(dir, "dist/blob.bin"), randomBytes(20 * MiB));
    const archive = await packFolder(dir);
    const relay = await startRelay(new URL(server.url));
    const viaRelay = { ...cliEnv, PLAZA_API_URL: relay.origin };
    try {
      // The network drops 12 MiB in, in the middle of the second PATCH, and the author's machine dies with it.
      const first = startCli(["publish", dir, "--create"], viaRelay);
      relay.cutAfter(12 * MiB, () => first.child.kill("SIGKILL"));
      const killed = await first.result;
      expect(killed.code, killed.output).toBeNull();
      expect(killed.stdout).not.toContain("Published");

      // The CLI remembered the upload; the server kept what arrived: the first part and the bytes after it.
      const stored = Object.values(readJson(join(configDir, "uploads.json"))) as { uploadUrl: string }[];
      expect(stored).toHaveLength(1);
      const uploadPath = new URL(stored[0]!.uploadUrl).pathname;
      const offset = await eventually("the server to keep the bytes of the cut-off PATCH", async () => {
        const head = await fetch(`${server.url}${uploadPath}`, {
          method: "HEAD",
          headers: { authorization: `Bearer ${apiToken}`, "tus-resumable": "1.0.0" },
        });
        const at = Number(head.headers.get("upload-offset"));
        return head.status === 200 && at > 8 * MiB && at % (8 * MiB) !== 0 && at;
      });
      expect(offset).toBeLessThan(archive.size);

      relay.reset();
      const second = await runCli(["publish", dir], viaRelay);
      expect(second.code, second.output).toBe(0);
      expect(second.stdout).toContain("Resumed the unfinished upload");
      expect(second.stdout).toContain(`Published ${slug}@1.0.0`);
      // Only the rest crossed the network again (plus a few KiB of headers and API calls).
      expect(relay.sent()).toBeGreaterThan(archive.size - offset);
      expect(relay.sent()).toBeLessThan(archive.size - offset + 256 * 1024);
      expect(readJson(join(configDir, "uploads.json"))).toEqual({});
    } finally {
      await relay.close();
    }
    const item = (await orgItems()).find((i) => i.slug === slug)!;
    const versions = (
      await expectCall<{ data: VersionT[] }>(200, "GET", `/v1/orgs/${orgId}/items/${item.id}/versions`, { token: accessToken })
    ).data;
    expect(versions).toEqual([expect.objectContaining({ version: "1.0.0", sha256: archive.sha256, size: archive.size })]);
  });

  it("items list shows the org's items with status and latest version, and --json gives them to scripts", async () => {
    const result = await runCli(["items", "list"], cliEnv);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(/^SLUG\s+NAME\s+STATUS\s+LATEST$/m);
    expect(result.stdout).toMatch(new RegExp(`^${SLUG}\\s+Hello CLI\\s+published\\s+1\\.0\\.0$`, "m"));
    expect(result.stdout).toMatch(/^cli-made\s+Made By CLI\s+draft\s+0\.1\.0$/m);

    const json = await runCli(["items", "list", "--json"], cliEnv);
    expect(json.code, json.output).toBe(0);
    const listed = JSON.parse(json.stdout) as ItemT[];
    expect(listed.map((i) => i.slug).sort()).toEqual((await orgItems()).map((i) => i.slug).sort());
  });

  it("versions list, yank and unyank a version; a yanked version leaves the public list", async () => {
    const before = await runCli(["versions", "list", SLUG], cliEnv);
    expect(before.code, before.output).toBe(0);
    expect(before.stdout).toMatch(/^VERSION\s+CHANNEL\s+YANKED\s+PUBLISHED$/m);
    expect(before.stdout).toMatch(/^1\.0\.0\s+stable\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC$/m);

    const yanked = await runCli(["yank", `${SLUG}@1.0.0`], cliEnv);
    expect(yanked.code, yanked.output).toBe(0);
    expect(yanked.stdout).toContain(`Yanked ${SLUG}@1.0.0`);
    expect((await orgVersions()).find((v) => v.version === "1.0.0")?.yanked).toBe(true);
    const listed = await runCli(["versions", "list", SLUG], cliEnv);
    expect(listed.stdout).toMatch(/^1\.0\.0\s+stable\s+yanked\s+\d{4}-/m);
    const json = JSON.parse((await runCli(["versions", "list", SLUG, "--json"], cliEnv)).stdout) as VersionT[];
    expect(json.map((v) => [v.version, v.yanked])).toEqual([["1.0.0", true]]);
    const { data: installable } = await expectCall<{ data: VersionT[] }>(200, "GET", `/v1/items/${SLUG}/versions`);
    expect(installable.map((v) => v.version)).not.toContain("1.0.0");

    const restored = await runCli(["unyank", `${SLUG}@1.0.0`], cliEnv);
    expect(restored.code, restored.output).toBe(0);
    expect(restored.stdout).toContain(`Restored ${SLUG}@1.0.0`);
    expect((await orgVersions()).find((v) => v.version === "1.0.0")?.yanked).toBe(false);
  });

  it("yank refuses an unknown version or item (exit 1) and a malformed <slug>@<version> (exit 2)", async () => {
    const unknownVersion = await runCli(["yank", `${SLUG}@9.9.9`], cliEnv);
    expect(unknownVersion.code, unknownVersion.output).toBe(1);
    expect(unknownVersion.stderr).toContain(`${SLUG} has no version 9.9.9`);

    const unknownItem = await runCli(["yank", "no-such-item@1.0.0"], cliEnv);
    expect(unknownItem.code, unknownItem.output).toBe(1);
    expect(unknownItem.stderr).toContain('No item "no-such-item" in your orgs');

    for (const malformed of [SLUG, `${SLUG}@1.0`, "Bad_Slug@1.0.0"]) {
      const result = await runCli(["unyank", malformed], cliEnv);
      expect(result.code, `${malformed}: ${result.output}`).toBe(2);
      expect(result.stderr).toContain("Usage: plaza unyank <slug>@<version>");
    }
    expect((await orgVersions()).find((v) => v.version === "1.0.0")?.yanked).toBe(false);
  });

  it("a token without the scope a command needs is refused with what to do", async () => {
    const publishOnly = (
      await expectCall<CreatedApiTokenT>(201, "POST", "/v1/me/tokens", {
        token: accessToken,
        body: { name: "ci-2", scopes: ["catalog:write"] },
      })
    ).token;
    const env = { ...cliEnv, PLAZA_TOKEN: publishOnly };
    const noOrgs = await runCli(["items", "list"], env);
    expect(noOrgs.code, noOrgs.output).toBe(1);
    expect(noOrgs.stderr).toContain("profile:read");
    expect(noOrgs.stderr).toContain("--org org_");

    const noRead = await runCli(["items", "list", "--org", orgId], env);
    expect(noRead.code, noRead.output).toBe(1);
    expect(noRead.stderr).toContain("catalog:read");
  });

  it("with several orgs, items list and publish --create need --org, and slug commands find the item's org", async () => {
    const secondSlug = `cli-second-${Date.now()}`;
    await expectCall<OrgT>(201, "POST", "/v1/orgs", { token: accessToken, body: { name: "CLI Second", slug: secondSlug } });
    const { orgs } = await expectCall<{ orgs: { slug: string; orgId: string }[] }>(200, "GET", "/v1/me", { token: accessToken });
    const firstSlug = orgs.find((o) => o.orgId === orgId)!.slug;

    const ambiguous = await runCli(["items", "list"], cliEnv);
    expect(ambiguous.code, ambiguous.output).toBe(2);
    expect(ambiguous.stderr).toContain("pass --org <slug>");
    expect(ambiguous.stderr).toContain(secondSlug);

    const second = await runCli(["items", "list", "--org", secondSlug], cliEnv);
    expect(second.code, second.output).toBe(0);
    expect(second.stdout).toContain(`No items in the org "${secondSlug}"`);
    const first = await runCli(["items", "list", "--org", firstSlug], cliEnv);
    expect(first.stdout).toMatch(new RegExp(`^${SLUG}\\s`, "m"));
    const stranger = await runCli(["items", "list", "--org", "not-my-org"], cliEnv);
    expect(stranger.code, stranger.output).toBe(1);
    expect(stranger.stderr).toContain('You are not a member of an org "not-my-org"');

    const found = await runCli(["versions", "list", SLUG], cliEnv);
    expect(found.code, found.output).toBe(0);
    expect(found.stdout).toMatch(/^1\.0\.0\s+stable/m);

    const dir = writePluginFolder(manifestFor("1.0.0", "^1.0.0", "cli-where"));
    const unplaced = await runCli(["publish", dir, "--create"], cliEnv);
    expect(unplaced.code, unplaced.output).toBe(2);
    expect(unplaced.stderr).toContain("pass --org <slug>");
    const placed = await runCli(["publish", dir, "--create", "--org", secondSlug], cliEnv);
    expect(placed.code, placed.output).toBe(0);
    expect(placed.stdout).toContain(`Created the item "cli-where" in the org "${secondSlug}"`);
  });

  it("help lists the new commands, and each has its own page", async () => {
    const overview = await runCli(["help"], cliEnv);
    expect(overview.code).toBe(0);
    for (const usage of ["plaza init", "plaza items list", "plaza versions list <slug>", "plaza yank <slug>@<version>", "plaza unyank"]) {
      expect(overview.stdout).toContain(usage);
    }
    for (const command of ["init", "items", "versions", "yank", "unyank"]) {
      const page = await runCli([command, "--help"], cliEnv);
      expect(page.code, page.output).toBe(0);
      expect(page.stdout).toContain(`Usage: plaza ${command}`);
    }
  });
});
